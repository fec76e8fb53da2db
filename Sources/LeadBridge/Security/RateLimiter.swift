import Foundation

/// Counts events per key in fixed windows, in memory.
///
/// Per process on purpose: the intake limit only has to blunt floods from one address,
/// and a shared counter would put a database write in front of every enquiry.
/// The per-account sign-in limits, which must hold across servers, live in `rate_counters`.
actor RateLimiter {
    struct Decision: Sendable {
        let allowed: Bool
        /// Seconds until the caller may try again (when refused).
        let retryAfter: Int
    }

    private struct Window { var start: Date; var count: Int }
    private let limit: Int
    private let window: TimeInterval
    private var windows: [String: Window] = [:]
    private var lastSweep = Date.distantPast

    init(limit: Int, windowSeconds: Int) {
        self.limit = limit
        self.window = TimeInterval(windowSeconds)
    }

    /// Records one event for `key` and says whether it is within the limit.
    func hit(_ key: String, now: Date) -> Decision {
        sweepIfDue(now)
        var entry = windows[key] ?? Window(start: now, count: 0)
        if now.timeIntervalSince(entry.start) >= window { entry = Window(start: now, count: 0) }
        entry.count += 1
        windows[key] = entry
        let retryAfter = max(1, Int((entry.start.addingTimeInterval(window).timeIntervalSince(now)).rounded(.up)))
        return Decision(allowed: entry.count <= limit, retryAfter: retryAfter)
    }

    /// Gives back one counted event (a sign-in that turned out good is not a failure).
    func refund(_ key: String) {
        guard var entry = windows[key], entry.count > 0 else { return }
        entry.count -= 1
        windows[key] = entry
    }

    /// Drops finished windows so memory stays bounded by recent distinct keys.
    private func sweepIfDue(_ now: Date) {
        guard now.timeIntervalSince(lastSweep) >= window else { return }
        windows = windows.filter { now.timeIntervalSince($0.value.start) < window }
        lastSweep = now
    }
}
