import Foundation

/// Paces requests below RingCentral's per-group limits, so the client waits a little
/// instead of earning a 429 and a 60-second penalty that every further request restarts.
///
/// RingCentral counts "during a sliding time window" (its rate-limit guide), and counts a request
/// when it arrives, which is some time after it leaves. So each request holds a slot stamped
/// when it is taken and, once its answer is in (`settle`), stamped again with the answer's time;
/// a request may start only while fewer than the limit hold stamps within the last window
/// (plus a small margin). A finished request counted from its answer is counted at least as
/// long as RingCentral counts it, however long it waited for a connection on the way, so no
/// 60-second span RingCentral may look at holds more than the limit. A request still under way
/// counts however long it takes.
///
/// It learns the real limits from `X-Rate-Limit-Limit` and `X-Rate-Limit-Window`. What
/// `X-Rate-Limit-Remaining` says only ever lowers what is left (another app of the same user
/// may be spending it): 0 stops the group for a window. After a 429 it sends nothing in that
/// group until the penalty is over. One limiter per process, shared by every client.
///
/// With a `RingCentralSharedBudget` the window is counted across processes instead: each slot
/// is taken from the shared budget, and pauses reach every process. Should the shared budget
/// fail (its database unreachable), the limiter paces on its own count meanwhile.
public actor RingCentralRateLimiter {
    public struct Limit: Sendable, Equatable {
        public var requests: Int
        public var window: TimeInterval
        public init(requests: Int, window: TimeInterval) { self.requests = requests; self.window = window }
    }

    public struct Statistics: Sendable, Equatable {
        /// Requests that had to wait for a slot, and for how long in all.
        public var pacedRequests = 0
        public var pacedSeconds: Double = 0
        /// 429 answers received.
        public var rateLimitedAnswers = 0
    }

    /// A request's hold on the budget, from `acquire` until its answer (`settle`).
    public struct Slot: Sendable, Equatable {
        public let group: RingCentralRateLimitGroup
        let local: Int
        let shared: Int64?
    }

    private var limits: [RingCentralRateLimitGroup: Limit]
    /// By group, each slot: when it was taken, then when its answer came; a slot whose request is
    /// still under way counts whatever its age.
    private var sent: [RingCentralRateLimitGroup: [(id: Int, at: Date, inFlight: Bool)]] = [:]
    private var nextSlot = 0
    private var pausedUntil: [RingCentralRateLimitGroup: Date] = [:]
    public private(set) var statistics = Statistics()
    private let now: @Sendable () -> Date
    private let minimumSafety: TimeInterval
    private let shared: (any RingCentralSharedBudget)?

    /// `minimumSafety`: the least time added to a window for requests still on the wire.
    public init(limits: [RingCentralRateLimitGroup: Limit] = [:], minimumSafety: TimeInterval = 0.5,
                shared: (any RingCentralSharedBudget)? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.minimumSafety = minimumSafety
        self.shared = shared
        var all = limits
        for group in RingCentralRateLimitGroup.allCases where all[group] == nil {
            all[group] = Limit(requests: group.documentedLimit, window: 60)
        }
        self.limits = all
        self.now = now
    }

    public func limit(for group: RingCentralRateLimitGroup) -> Limit { limits[group]! }

    /// How long a request in `group` would have to wait now (0 when it could go at once).
    public func wait(for group: RingCentralRateLimitGroup) -> TimeInterval {
        let current = now()
        if let until = pausedUntil[group], until > current { return until.timeIntervalSince(current) }
        let limit = limits[group]!
        let recent = trimmed(group, at: current)
        guard recent.count >= limit.requests else { return 0 }
        // Every slot still under way: one is free when an answer comes; look again shortly.
        guard let oldest = recent.filter({ !$0.inFlight }).map(\.at).min() else { return Self.inFlightPoll }
        return max(0.001, oldest.addingTimeInterval(limit.window + safety(limit)).timeIntervalSince(current))
    }

    /// True while a 429's penalty (or `Remaining: 0`) holds `group` in this process.
    public func isPaused(_ group: RingCentralRateLimitGroup) -> Bool {
        pausedUntil[group].map { $0 > now() } ?? false
    }

    /// Waits for a slot in `group` and takes it; `settle` it when the answer is in. Throws
    /// `rateLimited` instead of waiting longer than `maxWait`, so an impatient caller (a person
    /// at a button) can say so.
    @discardableResult
    public func acquire(_ group: RingCentralRateLimitGroup, maxWait: TimeInterval = .infinity) async throws -> Slot {
        var waited = false
        let started = now()
        while true {
            var delay = wait(for: group)
            var sharedSlot: Int64?
            if delay <= 0, let shared {
                let limit = limits[group]!
                switch try? await shared.take(group, limit: limit, margin: safety(limit), now: now()) {
                case .granted(let slot): sharedSlot = slot
                case .wait(let seconds): delay = seconds
                case nil: break   // The shared budget is unreachable: this process paces on its own count.
                }
            }
            if delay <= 0 {
                nextSlot += 1
                sent[group, default: []].append((nextSlot, now(), true))
                if waited {
                    statistics.pacedRequests += 1
                    statistics.pacedSeconds += now().timeIntervalSince(started)
                }
                return Slot(group: group, local: nextSlot, shared: sharedSlot)
            }
            guard delay <= maxWait - now().timeIntervalSince(started) else {
                throw RingCentralError.rateLimited(group: group, retryAfter: delay)
            }
            waited = true
            try await Task.sleep(nanoseconds: UInt64(min(max(delay, 0.001), 3600) * 1_000_000_000))
        }
    }

    /// The slot's request was never sent (its group was paused while it waited): its place is free.
    public func release(_ slot: Slot) async {
        sent[slot.group]?.removeAll { $0.id == slot.local }
        if let id = slot.shared { try? await shared?.release(id) }
    }

    /// The slot's request has its answer (or failed): from now on it counts
    /// from this moment, which is after RingCentral counted it.
    public func settle(_ slot: Slot) async {
        let current = now()
        if let index = sent[slot.group]?.firstIndex(where: { $0.id == slot.local }) {
            sent[slot.group]![index].at = max(sent[slot.group]![index].at, current)
            sent[slot.group]![index].inFlight = false
        }
        if let id = slot.shared { try? await shared?.settle(id, at: current) }
    }

    /// Reads an answer's `X-Rate-Limit-*` headers.
    public func observe(group: RingCentralRateLimitGroup, limit: Int?, window: TimeInterval?, remaining: Int?) async {
        if let limit, limit > 0 {
            limits[group]!.requests = limit
        }
        if let window, window > 0 { limits[group]!.window = window }
        guard let remaining else { return }
        if remaining <= 0 {
            await pause(group, until: now().addingTimeInterval(limits[group]!.window))
            return
        }
        // RingCentral has counted more than this process knows of (another process, or another
        // app of the same user): what it counted is held here too, so the count never runs
        // ahead of RingCentral's. A higher Remaining than expected frees nothing.
        let counted = limits[group]!.requests - remaining
        let known = trimmed(group, at: now()).count
        if counted > known {
            for _ in known..<counted {
                nextSlot += 1
                sent[group, default: []].append((nextSlot, now(), false))
            }
        }
    }

    /// A 429: nothing more in this group until the penalty is over, since any request
    /// during it would restart it.
    public func penalize(_ group: RingCentralRateLimitGroup, retryAfter: TimeInterval) async {
        statistics.rateLimitedAnswers += 1
        await pause(group, until: now().addingTimeInterval(retryAfter.isFinite ? min(max(retryAfter, 0), 3600) : 60))
    }

    private func pause(_ group: RingCentralRateLimitGroup, until: Date) async {
        pausedUntil[group] = max(pausedUntil[group] ?? until, until)
        // Best effort: if the shared budget cannot hear of it, this process still pauses.
        try? await shared?.pause(group, until: until)
    }

    private func trimmed(_ group: RingCentralRateLimitGroup, at current: Date) -> [(id: Int, at: Date, inFlight: Bool)] {
        let window = limits[group]!.window
        let cutoff = current.addingTimeInterval(-window - safety(limits[group]!))
        // Settling moves stamps later, so the list is not in order: filtered, not cut at a point.
        let kept = (sent[group] ?? []).filter { $0.inFlight || $0.at > cutoff }
        sent[group] = kept
        return kept
    }

    /// How soon to look again when every slot of a full window is still waiting for its answer.
    static let inFlightPoll: TimeInterval = 0.1

    /// A request is counted when it arrives, not when it leaves: allow for the wire.
    private func safety(_ limit: Limit) -> TimeInterval { max(minimumSafety, limit.window * 0.02) }
}
