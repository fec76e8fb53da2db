import Foundation
import Metrics
import NIOConcurrencyHelpers
import Vapor

/// One worker loop: claim due jobs, run them one by one, record how each went.
///
/// It claims several jobs at a time when jobs are quick (fewer database round trips) and
/// one at a time when they are slow (so other workers share the work). Asked to stop, it
/// finishes the job in hand and gives the rest of its claim back.
final class QueueWorker: Sendable {
    let id: String
    private let app: Application
    private let queue: JobQueue
    private let settings: QueueSettings
    private let stopping = NIOLockedValueBox(false)

    init(app: Application, queue: JobQueue, settings: QueueSettings, id: String = "worker-" + UUID().uuidString.prefix(8).lowercased()) {
        self.app = app
        self.queue = queue
        self.settings = settings
        self.id = id
    }

    func stop() { stopping.withLockedValue { $0 = true } }
    private var isStopping: Bool { stopping.withLockedValue { $0 } }

    /// Runs until `stop()`; returns after the job in hand is finished or released.
    func run() async {
        var batchSize = 1
        while !isStopping {
            do {
                let generation = queue.wakeup?.generation ?? 0
                let jobs = try await queue.claim(worker: id, limit: batchSize, lease: settings.leaseSeconds, on: app.db)
                if jobs.isEmpty {
                    await idle(after: generation)
                    continue
                }
                let started = DispatchTime.now().uptimeNanoseconds
                let ran = try await process(jobs)
                let perJob = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 / Double(max(ran, 1))
                // Aim for a claim that takes about half a second to work through.
                batchSize = min(settings.maxBatch, max(1, Int(0.5 / max(perJob, 0.000_1))))
            } catch {
                app.logger.error("Job worker \(id) hit an error and will try again shortly", metadata: ["error": "\(error)"])
                await idle(after: nil)
            }
        }
    }

    /// Runs a claimed batch; returns how many jobs were run (the rest were released).
    ///
    /// While it runs, a heartbeat renews the lease of every job of the batch not yet finished,
    /// so the lease can be short (a dead worker's jobs are taken over within it) and a slow job
    /// is not taken over while its worker lives and reaches the database (one stuck past its
    /// timeout lets its leases lapse).
    func process(_ jobs: [JobQueue.Claimed]) async throws -> Int {
        let held = HeldJobs(jobs.map(\.id), leaseEnds: jobs.map(\.leaseUntil).min() ?? queue.now())
        let heartbeat = Task { await keepLeases(held) }
        defer { heartbeat.cancel() }
        var succeeded: [Int] = []
        var ran = 0
        for (index, job) in jobs.enumerated() {
            if isStopping || Task.isCancelled {
                try await queue.release(jobs[index...].map(\.id), worker: id, on: app.db)
                break
            }
            // Heartbeats missed (the database was unreachable, the process stalled): the lease may
            // have run out, so check what is still ours before running any more of the batch.
            if queue.now().addingTimeInterval(settings.heartbeatSeconds) >= held.leaseEnds {
                do {
                    try await renew(held)
                } catch {
                    // Unknown what is still ours: give the rest back to the queue, keep what finished.
                    app.logger.warning("Job worker \(id) could not check its leases; leaving the rest of its batch", metadata: ["error": "\(error)"])
                    break
                }
            }
            if held.wasLost(job.id) {
                app.logger.warning("Job \(job.id) was taken over by another worker after its lease ran out; not running it here")
                continue
            }
            ran += 1
            held.beginRunning()
            defer { held.endRunning() }
            if try await execute(job) {
                succeeded.append(job.id)   // still ours, and still renewed, until `complete` deletes it
            } else {
                held.finish(job.id)   // its failure was recorded, which gave the lease back
            }
        }
        heartbeat.cancel()
        try await queue.complete(succeeded, worker: id, on: app.db)
        return ran
    }

    /// Renews the leases of `held`'s unfinished jobs every `heartbeatSeconds` until cancelled.
    private func keepLeases(_ held: HeldJobs) async {
        while true {
            do {
                try await Task.sleep(nanoseconds: UInt64(settings.heartbeatSeconds * 1e9))
            } catch {
                return   // cancelled: the batch is done
            }
            // A job still running well past its timeout ignored the cancellation (hung in a call
            // that cannot be cancelled): stop renewing, so the leases lapse and other workers take
            // the batch, instead of this worker holding it for ever.
            if let since = held.runningSince,
               Double(DispatchTime.now().uptimeNanoseconds - since) / 1e9 > settings.jobTimeoutSeconds + settings.leaseSeconds {
                app.logger.error("Job worker \(id) is stuck in a job past its timeout; letting its leases lapse")
                return
            }
            do {
                try await renew(held)
            } catch {
                // The next beat tries again; the lease has two more beats' worth of time left.
                app.logger.warning("Job worker \(id) could not renew its jobs' leases", metadata: ["error": "\(error)"])
            }
        }
    }

    private func renew(_ held: HeldJobs) async throws {
        let ids = held.unfinished
        guard !ids.isEmpty else { return }
        let renewedAt = queue.now()
        let kept = try await queue.renewLease(ids, worker: id, lease: settings.leaseSeconds, on: app.db)
        held.renewed(kept: kept, of: ids, leaseEnds: renewedAt.addingTimeInterval(settings.leaseSeconds))
    }

    /// Runs one job; true when it succeeded (and should be removed).
    private func execute(_ job: JobQueue.Claimed) async throws -> Bool {
        var logger = app.logger
        logger[metadataKey: "job_id"] = "\(job.id)"
        logger[metadataKey: "job_kind"] = "\(job.kind)"
        guard let entry = app.jobKinds.entry(for: job.kind) else {
            try await queue.recordFailure(of: job, error: JobFailure.permanent("No job kind named \(job.kind) is registered."), worker: id, on: app.db)
            return false
        }
        let context = JobContext(db: app.db, jobID: job.id, attempt: job.attempts, logger: logger)
        let started = DispatchTime.now().uptimeNanoseconds
        defer {
            Timer(label: "leadbridge_job_duration_seconds", dimensions: [("kind", job.kind)], preferredDisplayUnit: .seconds)
                .recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
        }
        do {
            try await withTimeout(seconds: settings.jobTimeoutSeconds) { try await entry.run(job.payload, context) }
            Counter(label: "leadbridge_jobs_processed_total", dimensions: [("kind", job.kind), ("outcome", "success")]).increment()
            return true
        } catch is CancellationError {
            // Shutdown cut the job short: hand it back whole rather than count a failure.
            try await queue.release([job.id], worker: id, on: app.db)
            return false
        } catch {
            let outcome = try await queue.recordFailure(of: job, error: error, worker: id, on: app.db)
            let label: String
            switch outcome {
            case .failed: label = "failed"; logger.error("Job failed for good", metadata: ["error": "\(error)"])
            case .waiting(let integration): label = "waiting"; logger.warning("Job waits for \(integration)", metadata: ["error": "\(error)"])
            case .retryAt(let when): label = "retry"; logger.warning("Job will retry at \(when)", metadata: ["error": "\(error)"])
            case .deferredTo(let when): label = "deferred"; logger.debug("Job deferred to \(when)", metadata: ["reason": "\(error)"])
            }
            Counter(label: "leadbridge_jobs_processed_total", dimensions: [("kind", job.kind), ("outcome", label)]).increment()
            return false
        }
    }

    /// Until a job may be waiting. With a wake-up: at the next signal (a job queued in this
    /// process, or NOTIFY from another), or a moment after a fresh one whose transaction may
    /// still be committing; the poll interval is the safety net. Without one (after an error):
    /// the poll interval, in short naps so a stop is noticed quickly.
    private func idle(after generation: UInt64?) async {
        if let wakeup = queue.wakeup, let generation {
            if wakeup.signalIsFresh {
                try? await Task.sleep(nanoseconds: 5_000_000)
            } else {
                await wakeup.wait(after: generation, upTo: settings.pollSeconds)
            }
            return
        }
        var remaining = settings.pollSeconds
        while remaining > 0, !isStopping {
            let nap = min(remaining, 0.1)
            try? await Task.sleep(nanoseconds: UInt64(nap * 1e9))
            remaining -= nap
        }
    }
}

/// The jobs of one claimed batch: which this worker still holds (their leases are renewed: those
/// waiting their turn, and those done but not yet deleted) and which were lost to another worker
/// after a lease ran out (they are not run here).
final class HeldJobs: Sendable {
    private struct State {
        var unfinished: Set<Int>
        var lost: Set<Int> = []
        var leaseEnds: Date
        /// When the job in hand started (uptime nanoseconds), nil between jobs.
        var runningSince: UInt64?
    }
    private let state: NIOLockedValueBox<State>

    init(_ ids: [Int], leaseEnds: Date) { state = NIOLockedValueBox(State(unfinished: Set(ids), leaseEnds: leaseEnds)) }

    var unfinished: [Int] { state.withLockedValue { $0.unfinished.sorted() } }
    /// When the leases of the unfinished jobs run out, as of the last renewal.
    var leaseEnds: Date { state.withLockedValue { $0.leaseEnds } }
    func finish(_ id: Int) { state.withLockedValue { _ = $0.unfinished.remove(id) } }
    var runningSince: UInt64? { state.withLockedValue { $0.runningSince } }
    /// The next job of the batch begins, or the one in hand ended.
    func beginRunning() { state.withLockedValue { $0.runningSince = DispatchTime.now().uptimeNanoseconds } }
    func endRunning() { state.withLockedValue { $0.runningSince = nil } }
    func wasLost(_ id: Int) -> Bool { state.withLockedValue { $0.lost.contains(id) } }

    /// After a renewal of `ids`: those not `kept` were taken over by another worker (unless they
    /// finished meanwhile: a job that just failed gave its lease back itself).
    func renewed(kept: Set<Int>, of ids: [Int], leaseEnds: Date) {
        state.withLockedValue {
            $0.lost.formUnion(Set(ids).subtracting(kept).intersection($0.unfinished))
            $0.leaseEnds = leaseEnds
        }
    }
}

struct JobTimedOut: JobRetryAdvising, CustomStringConvertible {
    let seconds: Double
    var description: String { "The job took longer than \(Int(seconds)) seconds and was stopped." }
    var retryDisposition: JobRetryDisposition { .retry }
}

/// Runs `work`, throwing `JobTimedOut` (and cancelling it) if it takes longer than `seconds`.
func withTimeout<T: Sendable>(seconds: Double, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            throw JobTimedOut(seconds: seconds)
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() else { throw CancellationError() }
        return result
    }
}
