import Foundation
import ProviderSandbox
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
        try await limiter.acquire(.heavy, maxWait: 0)
        clock.advance(10)
        try await limiter.acquire(.heavy, maxWait: 0)
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

/// A clock the test moves by hand.
final class TestNow: @unchecked Sendable {
    private let lock = NSLock()
    private var now = Date(timeIntervalSince1970: 1_800_000_000)
    var value: Date { lock.withLock { now } }
    func advance(_ seconds: TimeInterval) { lock.withLock { now.addTimeInterval(seconds) } }
}
