import Foundation
import Vapor

/// RingCentral's rate limits: per group and per user per app, a count over a sliding window;
/// breaking the limit blocks the group for `penalty` seconds, and any request during the
/// penalty is refused and starts it again (so a client that keeps retrying never gets through).
/// `rateLimitCounting: "fixed"` counts consecutive windows instead, with a penalty that runs
/// its length (see `RingCentralSandboxSettings`).
extension RingCentralSandbox {
    struct RateBucket {
        /// Admitted requests of the last window (the sliding count, and the busiest-window figure).
        var hits: [Date] = []
        /// Fixed counting: when the current window began, and what it admitted.
        var fixedWindowStart: Date?
        var fixedCount = 0
        var penaltyUntil: Date?
    }

    struct RateDecision {
        var allowed: Bool
        var group: String
        var limit: Int
        var remaining: Int
        var window: Int
        var retryAfter: Int?

        /// RingCentral puts the group's headers on every throttled API answer, 429s included. The
        /// group is in lower case there (the guide's example and a logged 429 both say `light`).
        func apply(to response: Response) -> Response {
            response.headers.replaceOrAdd(name: "X-Rate-Limit-Group", value: group.lowercased())
            response.headers.replaceOrAdd(name: "X-Rate-Limit-Limit", value: String(limit))
            response.headers.replaceOrAdd(name: "X-Rate-Limit-Remaining", value: String(remaining))
            response.headers.replaceOrAdd(name: "X-Rate-Limit-Window", value: String(window))
            if let retryAfter { response.headers.replaceOrAdd(name: "Retry-After", value: String(retryAfter)) }
            return response
        }
    }

    /// Admits one request of `group` for `key` (client, user and group), or refuses it.
    func admit(key: String, group: String, now: Date = Date()) -> RateDecision {
        state.withLockedValue { state in
            let settings = state.settings
            let limit = settings.limit(for: group)
            let window = settings.rateLimitWindow
            var bucket = state.rateBuckets[key] ?? RateBucket()
            let windowStart = now.addingTimeInterval(-TimeInterval(window))
            if let first = bucket.hits.firstIndex(where: { $0 > windowStart }) {
                bucket.hits.removeFirst(first)
            } else {
                bucket.hits.removeAll()
            }
            var decision = RateDecision(allowed: true, group: group, limit: limit, remaining: 0, window: window)
            let sliding = settings.rateLimitCounting != "fixed"
            if !sliding, bucket.fixedWindowStart.map({ now.timeIntervalSince($0) >= TimeInterval(window) }) ?? true {
                bucket.fixedWindowStart = now
                bucket.fixedCount = 0
            }
            let counted = sliding ? bucket.hits.count : bucket.fixedCount
            if let until = bucket.penaltyUntil, until > now {
                // Inside the penalty: refused; under the sliding reading the penalty starts over.
                if sliding { bucket.penaltyUntil = now.addingTimeInterval(TimeInterval(settings.penalty)) }
                decision.allowed = false
            } else if counted >= limit {
                bucket.penaltyUntil = now.addingTimeInterval(TimeInterval(settings.penalty))
                decision.allowed = false
            } else {
                bucket.penaltyUntil = nil
                bucket.hits.append(now)
                bucket.fixedCount += 1
                state.stats.busiestWindow[group] = max(state.stats.busiestWindow[group] ?? 0, bucket.hits.count)
            }
            let used = sliding ? bucket.hits.count : bucket.fixedCount
            decision.remaining = max(0, limit - used)
            if !decision.allowed {
                decision.remaining = 0
                decision.retryAfter = settings.penalty
                state.stats.rateLimited += 1
                state.stats.rateLimitedByGroup[group, default: 0] += 1
            }
            state.rateBuckets[key] = bucket
            return decision
        }
    }

    static func rateLimitedResponse() -> Response {
        error(.tooManyRequests, "CMN-301", "Request rate exceeded")
    }
}
