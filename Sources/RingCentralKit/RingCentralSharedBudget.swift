import Foundation

/// A rate-limit budget several processes share. RingCentral counts requests per user per app,
/// not per process: two servers (or a server and a worker) that each paced themselves to the
/// whole limit together sent twice it, and a 429 one of them earned was news to the other,
/// which kept the penalty going. With a shared budget every process takes its slots from the
/// same window, and a pause (a 429's `Retry-After`, or `X-Rate-Limit-Remaining: 0`) holds
/// them all.
///
/// A slot counts while its request is under way, however long that takes, and then for a window
/// from its answer (`settle`): RingCentral counts a request when it reaches it, which is
/// somewhere in between, so no window RingCentral may look at holds more than the limit however
/// long a request waited on the way (see `RingCentralRateLimiter`).
public protocol RingCentralSharedBudget: Sendable {
    /// Takes one request slot in `group` when no pause is in force and fewer than
    /// `limit.requests` slots are under way or answered within the last `limit.window + margin` seconds, and
    /// returns its id; otherwise takes nothing and returns how many seconds until one may be free.
    func take(_ group: RingCentralRateLimitGroup, limit: RingCentralRateLimiter.Limit,
              margin: TimeInterval, now: Date) async throws -> RingCentralBudgetAnswer

    /// The request of slot `id` has its answer (or failed) at `at`: the slot counts from then.
    func settle(_ id: Int64, at: Date) async throws

    /// Slot `id`'s request was never sent: it frees its place.
    func release(_ id: Int64) async throws

    /// Nobody sends a request in `group` before `until`.
    func pause(_ group: RingCentralRateLimitGroup, until: Date) async throws
}

public enum RingCentralBudgetAnswer: Sendable, Equatable {
    case granted(slot: Int64)
    case wait(TimeInterval)
}
