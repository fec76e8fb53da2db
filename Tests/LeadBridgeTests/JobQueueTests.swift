import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
@testable import LeadBridge

@Suite("The job queue")
struct JobQueueTests {
    static func queue(_ clock: TestClock, random: @escaping @Sendable (ClosedRange<Double>) -> Double = { $0.upperBound }) -> JobQueue {
        JobQueue(backoff: Backoff(base: 10, cap: 60, random: random), now: { clock.now })
    }

    static func fastSettings(_ app: Application) -> QueueSettings {
        var settings = app.services.config.queue
        settings.pollSeconds = 0.01
        return settings
    }

    static func job(_ id: Int, on db: any Database) async throws -> QueuedJob? {
        try await QueuedJob.find(id, on: db)
    }

    @Test func enqueueCommitsOrRollsBackWithTheCallersTransaction() async throws {
        try await withApp { app in
            let queue = app.services.jobQueue
            struct Abandon: Error {}
            await #expect(throws: Abandon.self) {
                try await app.db.transaction { tx in
                    try await queue.enqueue(NoopJob.self, .init(note: "rolled back"), on: tx)
                    throw Abandon()
                }
            }
            #expect(try await QueuedJob.query(on: app.db).count() == 0)

            try await app.db.transaction { tx in try await queue.enqueue(NoopJob.self, .init(note: "kept"), on: tx) }
            #expect(try await QueuedJob.query(on: app.db).count() == 1)
        }
    }

    @Test func aUniqueKeyKeepsOnePendingJob() async throws {
        try await withApp { app in
            let queue = app.services.jobQueue
            for _ in 0..<3 { try await queue.enqueue(NoopJob.self, .init(), on: app.db, uniqueKey: "sync:42") }
            #expect(try await QueuedJob.query(on: app.db).count() == 1)
        }
    }

    @Test func fourWorkersRunAThousandJobsEachExactlyOnce() async throws {
        try await withApp { app in
            let log = RunLog()
            app.jobKinds.register(CountingJob(log: log))
            let queue = app.services.jobQueue
            try await queue.enqueueMany(CountingJob.self, (0..<1000).map { .init(number: $0) }, on: app.db)

            let workers = (0..<4).map { _ in QueueWorker(app: app, queue: queue, settings: Self.fastSettings(app)) }
            let tasks = workers.map { worker in Task { await worker.run() } }
            let deadline = Date().addingTimeInterval(60)
            while try await QueuedJob.query(on: app.db).count() > 0, Date() < deadline {
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            for worker in workers { worker.stop() }
            for task in tasks { await task.value }

            let runs = await log.runs
            #expect(runs.count == 1000)
            #expect(runs.values.allSatisfy { $0 == 1 }, "some job ran twice")
            #expect(try await QueuedJob.query(on: app.db).count() == 0)
        }
    }

    @Test func aDeadWorkersJobRunsAgainOnceTheLeaseRunsOut() async throws {
        try await withApp { app in
            let clock = TestClock()
            let queue = Self.queue(clock)
            let log = RunLog()
            app.jobKinds.register(CountingJob(log: log))
            try await queue.enqueue(CountingJob.self, .init(number: 7), on: app.db)

            let claimedByTheDead = try await queue.claim(worker: "dead", limit: 10, lease: 300, on: app.db)
            #expect(claimedByTheDead.count == 1)
            #expect(try await queue.claim(worker: "alive", limit: 10, lease: 300, on: app.db).isEmpty, "still leased")

            clock.advance(301)
            let worker = QueueWorker(app: app, queue: queue, settings: Self.fastSettings(app), id: "alive")
            let reclaimed = try await queue.claim(worker: "alive", limit: 10, lease: 300, on: app.db)
            #expect(reclaimed.map(\.id) == claimedByTheDead.map(\.id))
            #expect(reclaimed.first?.attempts == 2)
            _ = try await worker.process(reclaimed)
            #expect(await log.runs[7] == 1)
            #expect(try await QueuedJob.query(on: app.db).count() == 0)
        }
    }

    @Test func failuresBackOffExponentiallyUpToTheCap() async throws {
        try await withApp { app in
            let clock = TestClock()
            let queue = Self.queue(clock)
            app.jobKinds.register(FailingJob())
            try await queue.enqueue(FailingJob.self, .init(mode: .retry), on: app.db)

            var waits: [TimeInterval] = []
            for attempt in 1...2 {
                let job = try #require(try await queue.claim(worker: "w", limit: 1, lease: 300, on: app.db).first)
                #expect(job.attempts == attempt)
                let outcome = try await queue.recordFailure(of: job, error: JobFailure.retry("boom"), worker: "w", on: app.db)
                guard case .retryAt(let next) = outcome else { Issue.record("expected a retry"); return }
                waits.append(next.timeIntervalSince(clock.now))
                #expect(try await queue.claim(worker: "w", limit: 1, lease: 300, on: app.db).isEmpty, "not due yet")
                clock.advance(waits.last!)
            }
            #expect(waits == [10, 20])

            let backoff = Backoff(base: 10, cap: 60, random: { $0.upperBound })
            #expect((1...6).map { backoff.delay(afterAttempt: $0) } == [10, 20, 40, 60, 60, 60])
            let jittered = Backoff(base: 10, cap: 60)
            #expect((0..<100).allSatisfy { _ in (0...40).contains(jittered.delay(afterAttempt: 3)) })
        }
    }

    @Test func retryAfterIsHonouredExactly() async throws {
        try await withApp { app in
            let clock = TestClock()
            let queue = Self.queue(clock)
            app.jobKinds.register(FailingJob())
            try await queue.enqueue(FailingJob.self, .init(mode: .retryAfter), on: app.db)
            let worker = QueueWorker(app: app, queue: queue, settings: Self.fastSettings(app), id: "w")
            _ = try await worker.process(try await queue.claim(worker: "w", limit: 1, lease: 300, on: app.db))

            let job = try #require(try await QueuedJob.query(on: app.db).first())
            #expect(abs(job.availableAt.timeIntervalSince(clock.now) - 42) < 0.01)
            #expect(job.lastError == "Rate limited.")
            #expect(job.reservedBy == nil)
        }
    }

    @Test func anUnusableIntegrationHoldsJobsWithoutBurningAttempts() async throws {
        try await withApp { app in
            let clock = TestClock()
            let queue = Self.queue(clock)
            app.jobKinds.register(FailingJob())
            try await queue.enqueue(FailingJob.self, .init(mode: .waitForSuiteDash), on: app.db)
            let worker = QueueWorker(app: app, queue: queue, settings: Self.fastSettings(app), id: "w")

            for _ in 0..<5 {
                _ = try await worker.process(try await queue.claim(worker: "w", limit: 1, lease: 300, on: app.db))
                let held = try #require(try await QueuedJob.query(on: app.db).first())
                #expect(held.waitingFor == "suitedash")
                #expect(held.attempts == 0)
                clock.advance(86_400)
                #expect(try await queue.claim(worker: "w", limit: 1, lease: 300, on: app.db).isEmpty, "held until resumed")
                #expect(try await queue.resume(waitingFor: "suitedash", on: app.db) == 1)
            }
            #expect(try await FailedJob.query(on: app.db).count() == 0)
            #expect(try await QueueStats.read(on: app.db, now: clock.now).ready == 1)
        }
    }

    @Test func lastAttemptMovesTheJobToFailedJobsAndItCanBeRetried() async throws {
        try await withApp { app in
            let clock = TestClock()
            let queue = Self.queue(clock)
            app.jobKinds.register(FailingJob())
            try await queue.enqueue(FailingJob.self, .init(mode: .plainError), on: app.db, uniqueKey: "only-one")
            let worker = QueueWorker(app: app, queue: queue, settings: Self.fastSettings(app), id: "w")
            for _ in 0..<FailingJob.maxAttempts {
                _ = try await worker.process(try await queue.claim(worker: "w", limit: 1, lease: 300, on: app.db))
                clock.advance(3600)
            }
            #expect(try await QueuedJob.query(on: app.db).count() == 0)
            let failed = try #require(try await FailedJob.query(on: app.db).first())
            #expect(failed.attempts == 3)
            #expect(failed.kind == FailingJob.name)
            #expect(failed.error.contains("PlainError"))

            #expect(try await queue.retryFailed(id: failed.id!, maxAttempts: 3, on: app.db))
            #expect(try await FailedJob.query(on: app.db).count() == 0)
            let again = try #require(try await QueuedJob.query(on: app.db).first())
            #expect(again.attempts == 0)
            #expect(again.uniqueKey == "only-one")
            #expect(again.payload == failed.payload)
            #expect(try await queue.retryFailed(id: failed.id!, maxAttempts: 3, on: app.db) == false)
        }
    }

    @Test func permanentErrorsAndUnknownKindsFailAtOnce() async throws {
        try await withApp { app in
            let clock = TestClock()
            let queue = Self.queue(clock)
            app.jobKinds.register(FailingJob())
            try await queue.enqueue(FailingJob.self, .init(mode: .permanent), on: app.db)
            try await app.db.sql().raw("""
                INSERT INTO jobs (kind, payload, attempts, max_attempts, available_at) VALUES ('gone.kind', '{}', 0, 5, \(bind: clock.now))
                """).run()
            let worker = QueueWorker(app: app, queue: queue, settings: Self.fastSettings(app), id: "w")
            _ = try await worker.process(try await queue.claim(worker: "w", limit: 10, lease: 300, on: app.db))

            let errors = try await FailedJob.query(on: app.db).all().map(\.error)
            #expect(errors.count == 2)
            #expect(errors.contains { $0.contains("email is invalid") })
            #expect(errors.contains { $0.contains("No job kind named gone.kind") })
        }
    }

    @Test func stoppingFinishesTheJobInHandAndReleasesTheRest() async throws {
        try await withApp { app in
            let log = RunLog()
            app.jobKinds.register(SlowJob(log: log))
            let queue = app.services.jobQueue
            try await queue.enqueueMany(SlowJob.self, (1...3).map { .init(number: $0, milliseconds: 400) }, on: app.db)
            let worker = QueueWorker(app: app, queue: queue, settings: Self.fastSettings(app), id: "w")
            let claimed = try await queue.claim(worker: "w", limit: 3, lease: 300, on: app.db)
            #expect(claimed.count == 3)

            let processing = Task { try await worker.process(claimed) }
            try await Task.sleep(nanoseconds: 100_000_000)
            worker.stop()
            #expect(try await processing.value == 1)

            #expect(await log.runs == [1: 1], "the job in hand finished")
            let left = try await QueuedJob.query(on: app.db).sort(\.$id).all()
            #expect(left.count == 2)
            #expect(left.allSatisfy { $0.reservedBy == nil && $0.reservedUntil == nil && $0.attempts == 0 })
        }
    }

    @Test func aPoolStopsGracefullyWithNothingLeftLocked() async throws {
        try await withApp({ $0.queue.pollSeconds = 0.01 }) { app in
            let log = RunLog()
            app.jobKinds.register(SlowJob(log: log))
            try await app.services.jobQueue.enqueueMany(SlowJob.self, (1...6).map { .init(number: $0, milliseconds: 300) }, on: app.db)
            let pool = WorkerPool(app: app, count: 2)
            pool.start()
            // Stop while a job is running (however long a loaded machine takes to get there).
            // Not merely claimed: a claimed job that has not started is released, rightly, and
            // waiting on the claim alone let the stop land in between (ran 0, seen on CI).
            let deadline = Date().addingTimeInterval(30)
            while await log.started == 0, Date() < deadline {
                try await Task.sleep(nanoseconds: 10_000_000)
            }
            await pool.stop()

            let ran = await log.total
            #expect(ran >= 1, "the job in hand finished")
            // The pool's scheduler may queue its own recurring work: only these six are counted.
            let left = try await QueuedJob.query(on: app.db).filter(\.$kind == SlowJob.name).all()
            #expect(left.count == 6 - ran, "every job either ran once or is still queued")
            #expect(left.allSatisfy { $0.reservedBy == nil }, "a stopped pool leaves no job locked")
        }
    }

    @Test func aJobThatRunsTooLongCountsAsAFailedTry() async throws {
        try await withApp({ $0.queue.jobTimeoutSeconds = 1 }) { app in
            let log = RunLog()
            app.jobKinds.register(SlowJob(log: log))
            let queue = app.services.jobQueue
            try await queue.enqueue(SlowJob.self, .init(number: 1, milliseconds: 5_000), on: app.db)
            let worker = QueueWorker(app: app, queue: queue, settings: app.services.config.queue, id: "w")
            _ = try await worker.process(try await queue.claim(worker: "w", limit: 1, lease: 300, on: app.db))
            let job = try #require(try await QueuedJob.query(on: app.db).first())
            #expect(job.lastError?.contains("longer than 1 seconds") == true)
            #expect(await log.total == 0)
        }
    }

    @Test func twoSchedulersEnqueueARecurringJobOncePerPeriod() async throws {
        try await withApp { app in
            let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_010))
            let queue = Self.queue(clock)
            let task = RecurringTask(name: "test.every-15-minutes", interval: 900) { queue, db in
                try await queue.enqueue(NoopJob.self, .init(note: "recurring"), on: db)
            }
            let first = Scheduler(queue: queue), second = Scheduler(queue: queue)
            async let a = first.tick([task], on: app.db)
            async let b = second.tick([task], on: app.db)
            let (enqueuedByA, enqueuedByB) = try await (a, b)
            #expect(enqueuedByA.count + enqueuedByB.count == 1)
            #expect(try await QueuedJob.query(on: app.db).count() == 1)

            clock.advance(600)   // same period
            #expect(try await first.tick([task], on: app.db).isEmpty)
            #expect(try await second.tick([task], on: app.db).isEmpty)
            clock.advance(400)   // next period
            #expect(try await second.tick([task], on: app.db) == ["test.every-15-minutes"])
            #expect(try await first.tick([task], on: app.db).isEmpty)
            #expect(try await QueuedJob.query(on: app.db).count() == 2)
        }
    }
}

@Suite("Leases over long batches")
struct LeaseRenewalTests {
    /// A job that runs until the test lets it finish.
    struct GatedJob: JobKind {
        struct Payload: Codable, Sendable { let number: Int }
        static let name = "test.gated"
        let log: RunLog
        let gate: AsyncStream<Void>
        func run(_ payload: Payload, context: JobContext) async throws {
            await log.begin()
            for await _ in gate { break }
            await log.record(payload.number)
        }
    }

    @Test func aSlowJobKeepsItsLeaseWhileItsWorkerLives() async throws {
        try await withApp({ $0.queue.leaseSeconds = 30; $0.queue.heartbeatSeconds = 0.05 }) { app in
            let clock = TestClock()
            let queue = JobQueueTests.queue(clock)
            let log = RunLog()
            let (gate, open) = AsyncStream<Void>.makeStream()
            app.jobKinds.register(GatedJob(log: log, gate: gate))
            try await queue.enqueue(GatedJob.self, .init(number: 1), on: app.db)
            let worker = QueueWorker(app: app, queue: queue, settings: app.services.config.queue, id: "slow")
            let claimed = try await queue.claim(worker: "slow", limit: 1, lease: 30, on: app.db)
            let running = Task { try await worker.process(claimed) }
            while await log.started == 0 { try await Task.sleep(nanoseconds: 5_000_000) }

            // Far past the first lease, but the heartbeat kept renewing it while the job ran.
            for _ in 0..<4 {
                clock.advance(20)
                // Waits (up to 10 s, for a loaded machine) for a beat since the clock moved.
                for _ in 0..<200 {
                    let until = try await QueuedJob.query(on: app.db).first()?.reservedUntil ?? .distantPast
                    if until >= clock.now.addingTimeInterval(29) { break }
                    try await Task.sleep(nanoseconds: 50_000_000)
                }
                clock.advance(15)   // past where the lease would have ended without that beat
                #expect(try await queue.claim(worker: "other", limit: 1, lease: 30, on: app.db).isEmpty,
                        "a living worker's job was taken over")
            }
            open.yield()
            #expect(try await running.value == 1)
            #expect(await log.runs == [1: 1])
            #expect(try await QueuedJob.query(on: app.db).count() == 0)
        }
    }

    /// A job that ignores cancellation: it returns only when the test lets it.
    struct StuckJob: JobKind {
        struct Payload: Codable, Sendable {}
        static let name = "test.stuck"
        let release: NIOLockedValueBox<CheckedContinuation<Void, Never>?>
        func run(_ payload: Payload, context: JobContext) async throws {
            await withCheckedContinuation { continuation in release.withLockedValue { $0 = continuation } }
        }
    }

    @Test func aWorkerStuckPastTheTimeoutStopsHoldingItsJobs() async throws {
        try await withApp({ $0.queue.leaseSeconds = 1; $0.queue.heartbeatSeconds = 0.05; $0.queue.jobTimeoutSeconds = 0.2 }) { app in
            let release = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(nil)
            app.jobKinds.register(StuckJob(release: release))
            let queue = app.services.jobQueue
            try await queue.enqueue(StuckJob.self, .init(), on: app.db)
            let worker = QueueWorker(app: app, queue: queue, settings: app.services.config.queue, id: "stuck")
            let claimed = try await queue.claim(worker: "stuck", limit: 1, lease: 1, on: app.db)
            let running = Task { try await worker.process(claimed) }

            // Past the timeout and a lease more, the heartbeat has stopped: the lease stays put.
            try await Task.sleep(nanoseconds: 1_800_000_000)
            let first = try await QueuedJob.query(on: app.db).first()?.reservedUntil
            try await Task.sleep(nanoseconds: 600_000_000)
            let second = try await QueuedJob.query(on: app.db).first()?.reservedUntil
            #expect(first != nil && first == second, "a stuck worker kept renewing its lease")
            // So another worker takes the job once it lapses.
            while Date() <= (second ?? Date()) { try await Task.sleep(nanoseconds: 50_000_000) }
            #expect(try await queue.claim(worker: "other", limit: 1, lease: 30, on: app.db).count == 1)

            release.withLockedValue { $0?.resume(); $0 = nil }
            _ = try? await running.value
        }
    }

    @Test func aSilentWorkersJobIsTakenOverWhenItsShortLeaseRunsOut() async throws {
        try await withApp { app in
            #expect(app.services.config.queue.leaseSeconds == 30, "the default lease: a crash costs seconds")
            #expect(app.services.config.queue.heartbeatSeconds == 10)
            let clock = TestClock()
            let queue = JobQueueTests.queue(clock)
            let log = RunLog()
            app.jobKinds.register(CountingJob(log: log))
            try await queue.enqueue(CountingJob.self, .init(number: 9), on: app.db)
            // Claimed by a worker that then dies (kill -9): no heartbeat, no release.
            _ = try await queue.claim(worker: "killed", limit: 1, lease: app.services.config.queue.leaseSeconds, on: app.db)
            clock.advance(29)
            #expect(try await queue.claim(worker: "alive", limit: 1, lease: 30, on: app.db).isEmpty)
            clock.advance(2)
            let taken = try await queue.claim(worker: "alive", limit: 1, lease: 30, on: app.db)
            #expect(taken.count == 1)
            let worker = QueueWorker(app: app, queue: queue, settings: app.services.config.queue, id: "alive")
            _ = try await worker.process(taken)
            #expect(await log.runs == [9: 1])
        }
    }

    @Test func aBatchRenewsItsLeaseAndSkipsJobsAnotherWorkerTookOver() async throws {
        try await withApp({ $0.queue.leaseSeconds = 60 }) { app in
            let clock = TestClock()
            let queue = JobQueueTests.queue(clock)
            let log = RunLog()
            app.jobKinds.register(CountingJob(log: log))
            try await queue.enqueueMany(CountingJob.self, (1...3).map { .init(number: $0) }, on: app.db)
            let claimed = try await queue.claim(worker: "slow", limit: 3, lease: 60, on: app.db)

            // The lease runs out before the batch starts; another worker claims job 3 meanwhile.
            clock.advance(61)
            try await app.db.sql().raw("""
                UPDATE jobs SET reserved_by = 'other', reserved_until = \(bind: clock.now.addingTimeInterval(60)) WHERE id = \(bind: claimed[2].id)
                """).run()

            let worker = QueueWorker(app: app, queue: queue, settings: app.services.config.queue, id: "slow")
            #expect(try await worker.process(claimed) == 2)
            #expect(await log.runs == [1: 1, 2: 1], "job 3 belongs to the other worker now")
            let left = try await QueuedJob.query(on: app.db).all()
            #expect(left.map(\.id) == [claimed[2].id])
            #expect(left.first?.reservedBy == "other")
        }
    }
}
