import Foundation
@testable import ProviderSandbox
import RingCentralKit
import Testing

@Suite("RingCentral rate limits")
struct RateLimitTests {
    @Test("the client paces itself below a group's limit: no 429 however many calls")
    func pacingAvoids429() async throws {
        try await withConnectedKit(adjust: { $0.limits["Light"] = 4; $0.rateLimitWindow = 2; $0.penalty = 2 }) { kit in
            // The first answer teaches the client the real limit and window.
            _ = try await kit.client.account()
            for _ in 0..<10 { _ = try await kit.client.account() }
            #expect(kit.sandbox.ringCentral.stats.rateLimited == 0)
            // What the sandbox saw: never more than 4 Light requests within one window.
            let times = kit.sandbox.ringCentral.requestLog.filter { $0.group == "Light" }.map(\.date).sorted()
            for (index, time) in times.enumerated() where index >= 4 {
                #expect(time.timeIntervalSince(times[index - 4]) >= 2, "five requests inside one window")
            }
        }
    }

    @Test("the limiter makes the request over the limit wait until the oldest leaves the window")
    func limiterWaitsForTheWindow() async throws {
        let clock = TestNow()
        let limiter = RingCentralRateLimiter(limits: [.heavy: .init(requests: 2, window: 60)], now: { clock.value })
        // Requests answered at once.
        await limiter.settle(try await limiter.acquire(.heavy, maxWait: 0))
        clock.advance(10)
        await limiter.settle(try await limiter.acquire(.heavy, maxWait: 0))
        do {
            try await limiter.acquire(.heavy, maxWait: 0)
            Issue.record("a third request inside the window should have to wait")
        } catch RingCentralError.rateLimited(let group, let wait) {
            #expect(group == .heavy)
            // The first request leaves the window at 60 s (+ 1.2 s for the wire); 10 s have passed.
            #expect(wait > 50 && wait < 52)
        }
        clock.advance(51.5)
        try await limiter.acquire(.heavy, maxWait: 0)
        // After a 429 nothing goes out until the penalty is over.
        await limiter.penalize(.light, retryAfter: 30)
        let penalty = await limiter.wait(for: .light)
        #expect(penalty == 30)
    }

    @Test("a 429 is waited out for Retry-After, nothing is sent during the penalty, then the call succeeds")
    func retryAfterHonoured() async throws {
        // The window outlives the penalty, so however slow this machine is, the budget is
        // still spent when the client calls; the client then waits out both.
        try await withConnectedKit(adjust: { $0.limits["Light"] = 3; $0.rateLimitWindow = 4; $0.penalty = 1 }) { kit in
            // Someone else (another process, unknown to this limiter) spends the budget.
            let token = try await kit.store.load()!.accessToken
            kit.sandbox.ringCentral.resetStats()
            let spent = Date()
            for _ in 0..<3 {
                var request = HTTPClientRequestBuilder.get(kit.sandbox.ringCentralURL + "/restapi/v1.0/account/~", bearer: token)
                _ = try await request.send()
            }
            _ = try await kit.client.account()
            // A 429 is certain only when the client's first request reached the sandbox inside the
            // window the others filled. Both times below are the sandbox process's clock: the
            // window began after `spent`, and the request was admitted before it was logged.
            let all = kit.sandbox.ringCentral.requestLog.filter { $0.group == "Light" }
            guard all.count > 3, all[3].date.timeIntervalSince(spent) < 3.9 else { return }

            let log = Array(all.dropFirst(3))
            let limited = log.filter { $0.status == 429 }
            #expect(limited.count == 1)
            #expect(log.last?.status == 200)
            if let penaltyStart = limited.first?.date, let next = log.first(where: { $0.date > penaltyStart }) {
                #expect(next.date.timeIntervalSince(penaltyStart) >= 0.95)
            } else {
                Issue.record("expected a retry after the 429")
            }
        }
    }

    @Test("an impatient client says how long to wait instead of waiting")
    func impatientClientGivesUp() async throws {
        try await withConnectedKit(adjust: { $0.limits["Heavy"] = 2; $0.rateLimitWindow = 30 }, options: .interactive) { kit in
            _ = try await kit.client.callLog(dateFrom: Date().addingTimeInterval(-3600))
            _ = try await kit.client.callLog(dateFrom: Date().addingTimeInterval(-3600))
            do {
                _ = try await kit.client.callLog(dateFrom: Date().addingTimeInterval(-3600))
                Issue.record("the third call should be refused locally")
            } catch RingCentralError.rateLimited(let group, let retryAfter) {
                #expect(group == .heavy)
                #expect(retryAfter > 10)
            }
            #expect(kit.sandbox.ringCentral.stats.rateLimited == 0)
        }
    }
}

/// Issue #34: RingCentral counts a request when it arrives, over a sliding window, and restarts
/// the penalty on any request during it.
@Suite("RingCentral's window, counted the way RingCentral counts it")
struct SlidingWindowTests {
    @Test("requests that waited on the way count from their answers: the next one waits for that, not for their start")
    func aSlowRequestCountsFromItsAnswer() async throws {
        let clock = TestNow()
        let limiter = RingCentralRateLimiter(limits: [.light: .init(requests: 2, window: 60)], now: { clock.value })
        let first = try await limiter.acquire(.light, maxWait: 0)
        let second = try await limiter.acquire(.light, maxWait: 0)
        // Both queued for a connection and reached RingCentral about 30 s after they started.
        clock.advance(30)
        await limiter.settle(first)
        await limiter.settle(second)
        // 61.5 s after they started: counted from their starts both have left the window, but
        // RingCentral saw them at about 30 s, so a request now would be its third in 60 s.
        clock.advance(31.5)
        do {
            try await limiter.acquire(.light, maxWait: 0)
            Issue.record("a third request inside the window RingCentral counts")
        } catch RingCentralError.rateLimited(_, let wait) {
            #expect(wait > 29 && wait < 30, "they leave the window 61.2 s after their answers")
        }
        clock.advance(29.8)
        try await limiter.acquire(.light, maxWait: 0)
    }

    @Test("a request still under way counts however long it takes; the next waits for its answer")
    func aRequestUnderWayKeepsItsSlot() async throws {
        let clock = TestNow()
        let limiter = RingCentralRateLimiter(limits: [.light: .init(requests: 1, window: 60)], now: { clock.value })
        let slow = try await limiter.acquire(.light, maxWait: 0)
        clock.advance(300)
        await #expect(throws: RingCentralError.self, "five minutes on, still under way: still counted") {
            try await limiter.acquire(.light, maxWait: 0)
        }
        await limiter.settle(slow)
        clock.advance(61.5)
        try await limiter.acquire(.light, maxWait: 0)
    }

    @Test("X-Rate-Limit-Group is read whatever its case: RingCentral writes `light`")
    func groupHeaderIgnoresCase() {
        #expect(RingCentralRateLimitGroup(rawValue: "light") == nil, "the spec's spelling alone would miss RingCentral's answers")
        #expect(RingCentralRateLimitGroup(header: "light") == .light)
        #expect(RingCentralRateLimitGroup(header: "Medium") == .medium)
        #expect(RingCentralRateLimitGroup(header: " HEAVY") == .heavy)
        #expect(RingCentralRateLimitGroup(header: "auth") == .auth)
        #expect(RingCentralRateLimitGroup(header: "lightish") == nil)
    }

    @Test("a slot whose request was never sent (its group paused meanwhile) frees its place")
    func anUnsentRequestFreesItsSlot() async throws {
        let clock = TestNow()
        let limiter = RingCentralRateLimiter(limits: [.light: .init(requests: 1, window: 60)], now: { clock.value })
        await limiter.release(try await limiter.acquire(.light, maxWait: 0))
        await limiter.settle(try await limiter.acquire(.light, maxWait: 0))
        await #expect(throws: RingCentralError.self, "the one that was sent holds the window") {
            try await limiter.acquire(.light, maxWait: 0)
        }
    }

    @Test("a request that waited for its slot carries the token current when it goes, not one a refresh ended meanwhile")
    func theTokenIsReadWhenTheRequestGoes() async throws {
        try await withConnectedKit(adjust: { $0.limits["Light"] = 1; $0.rateLimitWindow = 2 }) { kit in
            _ = try await kit.client.account()   // learns the limit of 1 in 2 s, and takes it
            let old = try await kit.store.load()!.accessToken
            async let waiting = kit.client.account()   // waits about two seconds for its slot
            try await Task.sleep(for: .milliseconds(300))
            // Meanwhile the token is refreshed (as another process would), which ends the old one.
            _ = try await kit.client.tokens.tokensAfterRejection(of: old)
            let refreshed = Date()
            _ = try await waiting
            let later = kit.sandbox.ringCentral.requestLog.filter { $0.endpoint == "GET /restapi/v1.0/account/~" }.dropFirst()
            // On a machine so loaded that the waiting request went before the refresh landed, nothing is certain.
            guard let sent = later.first, sent.date > refreshed else { return }
            #expect(sent.status == 200, "the waiting request was sent with the ended token and had to be sent again")
        }
    }

    @Test("X-Rate-Limit-Remaining lowers what is left (someone else spent it), never raises it")
    func remainingOnlyLowers() async throws {
        let clock = TestNow()
        let limiter = RingCentralRateLimiter(limits: [.light: .init(requests: 5, window: 60)], now: { clock.value })
        try await limiter.settle(limiter.acquire(.light, maxWait: 0))
        // RingCentral counted 3 of 5 (two from another app of the same user).
        await limiter.observe(group: .light, limit: 5, window: 60, remaining: 2)
        try await limiter.acquire(.light, maxWait: 0)
        try await limiter.acquire(.light, maxWait: 0)
        await #expect(throws: RingCentralError.self, "5 counted by RingCentral: the sixth waits") {
            try await limiter.acquire(.light, maxWait: 0)
        }
        // A Remaining higher than this process's own count gives nothing back.
        await limiter.observe(group: .light, limit: 5, window: 60, remaining: 4)
        await #expect(throws: RingCentralError.self) { try await limiter.acquire(.light, maxWait: 0) }
    }

    @Test("eight callers at once, against the sliding window and against fixed windows: no 429, never more than the limit in any window",
          arguments: ["sliding", "fixed"])
    func concurrentCallersDrawNo429(counting: String) async throws {
        try await withConnectedKit(adjust: {
            $0.limits["Light"] = 5; $0.rateLimitWindow = 2; $0.penalty = 2; $0.rateLimitCounting = counting
        }) { kit in
            _ = try await kit.client.account()
            let deadline = Date().addingTimeInterval(5)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask { while Date() < deadline { _ = try await kit.client.account() } }
                }
                try await group.waitForAll()
            }
            let stats = kit.sandbox.ringCentral.stats
            #expect(stats.rateLimited == 0, "\(stats.rateLimitedByGroup)")
            #expect((stats.busiestWindow["Light"] ?? 0) <= 5)
            #expect((stats.busiestWindow["Light"] ?? 0) >= 3, "the callers used the budget")
        }
    }

    @Test("the sandbox's two readings: sliding restarts the penalty on a request during it, fixed lets it run out",
          arguments: ["sliding", "fixed"])
    func theSandboxCountsBothWays(counting: String) {
        let sandbox = RingCentralSandbox()
        var settings = sandbox.settings
        settings.limits["Light"] = 1
        settings.rateLimitWindow = 60
        settings.penalty = 60
        settings.rateLimitCounting = counting
        sandbox.settings = settings
        let start = Date(timeIntervalSince1970: 1_900_000_000)
        func allowed(after seconds: TimeInterval) -> Bool {
            sandbox.admit(key: "app|user|Light", group: "Light", now: start.addingTimeInterval(seconds)).allowed
        }
        #expect(allowed(after: 0))
        #expect(!allowed(after: 1), "over the limit: the penalty runs from here")
        #expect(!allowed(after: 30), "inside the penalty")
        // 61 s after the penalty began: over under fixed counting; under sliding, restarted 31 s ago.
        #expect(allowed(after: 62) == (counting == "fixed"))
        #expect(sandbox.stats.busiestWindow["Light"] == 1)
        #expect(sandbox.stats.rateLimitedByGroup["Light"] == (counting == "fixed" ? 2 : 3))
    }
}

/// A clock the test moves by hand.
final class TestNow: @unchecked Sendable {
    private let lock = NSLock()
    private var now = Date(timeIntervalSince1970: 1_800_000_000)
    var value: Date { lock.withLock { now } }
    func advance(_ seconds: TimeInterval) { lock.withLock { now.addTimeInterval(seconds) } }
}
