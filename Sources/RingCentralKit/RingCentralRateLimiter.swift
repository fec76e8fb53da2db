import Foundation

/// Paces requests below RingCentral's per-group limits, so the client waits a little
/// instead of earning a 429 and a 60-second penalty that every further request restarts.
///
/// It keeps the send times of the last window per group and lets a request go only while
/// fewer than the limit were sent in that window (plus a small safety margin for the time
/// a request spends on the wire). It learns the real limits from `X-Rate-Limit-Limit` and
/// `X-Rate-Limit-Window`, stops a group when an answer says `X-Rate-Limit-Remaining: 0`
/// (another process may be spending the same budget), and after a 429 sends nothing in
/// that group until the penalty is over. One limiter per process, shared by every client.
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

    private var limits: [RingCentralRateLimitGroup: Limit]
    private var sent: [RingCentralRateLimitGroup: [Date]] = [:]
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
        guard recent.count >= limit.requests, let oldest = recent.first else { return 0 }
        return max(0, oldest.addingTimeInterval(limit.window + safety(limit)).timeIntervalSince(current))
    }

    /// Waits for a slot in `group` and takes it. Throws `rateLimited` instead of waiting
    /// longer than `maxWait`, so an impatient caller (a person at a button) can say so.
    public func acquire(_ group: RingCentralRateLimitGroup, maxWait: TimeInterval = .infinity) async throws {
        var waited = false
        let started = now()
        while true {
            var delay = wait(for: group)
            if delay <= 0, let shared {
                let limit = limits[group]!
                if let sharedDelay = try? await shared.take(group, limit: limit, margin: safety(limit), now: now()) {
                    delay = sharedDelay
                }
            }
            if delay <= 0 {
                sent[group, default: []].append(now())
                if waited {
                    statistics.pacedRequests += 1
                    statistics.pacedSeconds += now().timeIntervalSince(started)
                }
                return
            }
            guard delay <= maxWait - now().timeIntervalSince(started) else {
                throw RingCentralError.rateLimited(group: group, retryAfter: delay)
            }
            waited = true
            try await Task.sleep(nanoseconds: UInt64(min(max(delay, 0.001), 3600) * 1_000_000_000))
        }
    }

    /// Reads an answer's `X-Rate-Limit-*` headers.
    public func observe(group: RingCentralRateLimitGroup, limit: Int?, window: TimeInterval?, remaining: Int?) async {
        if let limit, limit > 0 {
            limits[group]!.requests = limit
        }
        if let window, window > 0 { limits[group]!.window = window }
        if let remaining, remaining <= 0 {
            await pause(group, until: now().addingTimeInterval(limits[group]!.window))
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

    private func trimmed(_ group: RingCentralRateLimitGroup, at current: Date) -> [Date] {
        let window = limits[group]!.window
        var times = sent[group] ?? []
        let cutoff = current.addingTimeInterval(-window - safety(limits[group]!))
        if let firstKept = times.firstIndex(where: { $0 > cutoff }) {
            if firstKept > 0 { times.removeFirst(firstKept) }
        } else {
            times.removeAll()
        }
        sent[group] = times
        return times
    }

    /// A request is counted when it arrives, not when it leaves: allow for the wire.
    private func safety(_ limit: Limit) -> TimeInterval { max(minimumSafety, limit.window * 0.02) }
}
