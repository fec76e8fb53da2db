import Foundation

/// A rate-limit budget several processes share. RingCentral counts requests per user per app,
/// not per process: two servers (or a server and a worker) that each paced themselves to the
/// whole limit together sent twice it, and a 429 one of them earned was news to the other,
/// which kept the penalty going. With a shared budget every process takes its slots from the
/// same window, and a pause (a 429's `Retry-After`, or `X-Rate-Limit-Remaining: 0`) holds
/// them all.
public protocol RingCentralSharedBudget: Sendable {
    /// Takes one request slot in `group` when no pause is in force and fewer than
    /// `limit.requests` slots were taken within the last `limit.window + margin` seconds, and
    /// returns 0; otherwise takes nothing and returns how many seconds until one may be free.
    func take(_ group: RingCentralRateLimitGroup, limit: RingCentralRateLimiter.Limit,
              margin: TimeInterval, now: Date) async throws -> TimeInterval

    /// Nobody sends a request in `group` before `until`.
    func pause(_ group: RingCentralRateLimitGroup, until: Date) async throws
}
