import Foundation
import NIOConcurrencyHelpers
import RingCentralKit
import Testing
import Vapor
@testable import LeadBridge

/// RingCentral counts requests per user per app, whatever process sends them (issue #17): on
/// PostgreSQL every process draws its slots from one budget, and a pause any of them learns holds
/// them all. (SQLite installs are one process: there the budget is the process's own.)
@Suite("RingCentral rate limits across processes", .enabled(if: TestDatabase.isPostgres, "PostgreSQL is where LeadBridge scales out"))
struct SharedRateLimitTests {
    @Test("two processes together take no more than the limit, and a 429 one of them gets stops the other")
    func twoProcessesShareOneBudget() async throws {
        try await withApp { app in
            let url = try #require(app.services.config.databaseURL)
            let clock = NIOLockedValueBox(Date(timeIntervalSince1970: 2_000_000_000))
            func process() -> (RingCentralRateLimiter, DatabaseRingCentralBudget) {
                let budget = DatabaseRingCentralBudget(url: url, logger: app.logger, eventLoop: app.eventLoopGroup.any())
                return (RingCentralRateLimiter(limits: [.heavy: .init(requests: 4, window: 60)], shared: budget,
                                               now: { clock.withLockedValue { $0 } }), budget)
            }
            let (first, firstBudget) = process(), (second, secondBudget) = process()
            defer { Task { await firstBudget.close(); await secondBudget.close() } }

            var granted = 0
            for limiter in [first, second, first, second, first, second] {
                // Each answered at once.
                do { await limiter.settle(try await limiter.acquire(.heavy, maxWait: 0)); granted += 1 } catch {}
            }
            #expect(granted == 4, "each process alone would have taken 4: 8 in all, twice the limit")

            // A new window: both may send again, until one of them is told to stop.
            clock.withLockedValue { $0 = $0.addingTimeInterval(62) }   // the window and its margin for the wire
            await second.settle(try await second.acquire(.heavy, maxWait: 0))
            await first.penalize(.heavy, retryAfter: 30)
            await #expect(throws: RingCentralError.self, "the 429 reached the other process") {
                try await second.acquire(.heavy, maxWait: 0)
            }
            do {
                try await second.acquire(.heavy, maxWait: 0)
            } catch let RingCentralError.rateLimited(_, retryAfter) {
                #expect(retryAfter > 29 && retryAfter <= 30, "told to wait the penalty out, and no longer")
            }
            clock.withLockedValue { $0 = $0.addingTimeInterval(31) }
            try await second.acquire(.heavy, maxWait: 0)
        }
    }

    @Test("a slot one process's request held until its late answer counts from that answer in the other process too (issue #34)")
    func aLateAnswerCountsAcrossProcesses() async throws {
        try await withApp { app in
            let url = try #require(app.services.config.databaseURL)
            let clock = NIOLockedValueBox(Date(timeIntervalSince1970: 2_100_000_000))
            func process() -> (RingCentralRateLimiter, DatabaseRingCentralBudget) {
                let budget = DatabaseRingCentralBudget(url: url, logger: app.logger, eventLoop: app.eventLoopGroup.any())
                return (RingCentralRateLimiter(limits: [.light: .init(requests: 1, window: 60)], shared: budget,
                                               now: { clock.withLockedValue { $0 } }), budget)
            }
            let (first, firstBudget) = process(), (second, secondBudget) = process()
            defer { Task { await firstBudget.close(); await secondBudget.close() } }
            let slow = try await first.acquire(.light, maxWait: 0)
            clock.withLockedValue { $0 = $0.addingTimeInterval(30) }
            await first.settle(slow)   // answered 30 s after it started: RingCentral saw it late
            clock.withLockedValue { $0 = $0.addingTimeInterval(31.5) }
            do {
                try await second.acquire(.light, maxWait: 0)
                Issue.record("61.5 s after the slow request started but 31.5 s after its answer: still inside RingCentral's window")
            } catch let RingCentralError.rateLimited(_, retryAfter) {
                #expect(retryAfter > 29 && retryAfter < 30)
            }
        }
    }
}
