import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The workers (and the scheduler) of one process: started by `serve` when QUEUE_WORKERS > 0,
/// or by `leadbridge worker`. Stopping lets each worker finish the job in hand; what is still
/// running after the grace period is cancelled and released, never left locked.
final class WorkerPool: Sendable {
    private let app: Application
    private let settings: QueueSettings
    private let workers: [QueueWorker]
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])
    private let schedulerStop = NIOLockedValueBox(false)
    /// Notices jobs queued by other processes: PostgreSQL's LISTEN, or SQLite's WAL watched.
    private let listener = NIOLockedValueBox<Task<Void, Never>?>(nil)

    /// Whether the jobs come mostly from other processes (`leadbridge worker`): on SQLite it then
    /// watches the database file for their commits. A server's own workers are woken by its own
    /// enqueues, and watching would wake them for every enquiry committed, each wake a claim
    /// that takes SQLite's write lock.
    private let watchesOtherProcesses: Bool

    init(app: Application, count: Int, watchesOtherProcesses: Bool = false) {
        self.app = app
        self.watchesOtherProcesses = watchesOtherProcesses
        self.settings = app.services.config.queue
        let queue = app.services.jobQueue
        self.workers = (0..<count).map { _ in QueueWorker(app: app, queue: queue, settings: app.services.config.queue) }
    }

    func start() {
        var started = workers.map { worker in Task { await worker.run() } }
        started.append(Task { await self.runScheduler() })
        tasks.withLockedValue { $0 = started }
        if let wakeup = app.services.jobQueue.wakeup {
            let config = app.services.config
            if let url = config.databaseURL {
                let listener = PostgresJobListener(url: url, wakeup: wakeup, logger: app.logger, eventLoop: app.eventLoopGroup.any())
                self.listener.withLockedValue { $0 = Task { await listener.run() } }
            } else if watchesOtherProcesses {
                let watcher = SQLiteCommitWatcher(databasePath: config.sqlitePath, wakeup: wakeup)
                self.listener.withLockedValue { $0 = Task { await watcher.run() } }
            }
        }
        app.logger.info("Started \(workers.count) job worker(s) and the scheduler")
    }

    func stop() async {
        for worker in workers { worker.stop() }
        // Idle workers wait for a signal: this one lets them see the stop at once.
        app.services.jobQueue.wakeup?.signal()
        listener.withLockedValue { $0 }?.cancel()
        schedulerStop.withLockedValue { $0 = true }
        let running = tasks.withLockedValue { $0 }
        let grace = settings.shutdownGraceSeconds
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask { for task in running { await task.value }; return true }
            group.addTask { try? await Task.sleep(nanoseconds: UInt64(grace * 1e9)); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !finished {
            app.logger.warning("Jobs still running after \(Int(grace))s: cancelling and releasing them")
            for task in running { task.cancel() }
            for task in running { await task.value }
        }
        app.logger.info("Job workers stopped")
    }

    private func runScheduler() async {
        let scheduler = Scheduler(queue: app.services.jobQueue)
        while !schedulerStop.withLockedValue({ $0 }) {
            let tasks = app.recurringTasks.all
            if !tasks.isEmpty {
                do { try await scheduler.tick(tasks, on: app.db) }
                catch { app.logger.error("The scheduler could not enqueue recurring jobs", metadata: ["error": "\(error)"]) }
            }
            for _ in 0..<10 where !schedulerStop.withLockedValue({ $0 }) {
                try? await Task.sleep(nanoseconds: 100_000_000)
            }
        }
    }
}

/// Starts the in-process workers when the server boots, and stops them when it shuts down.
struct InProcessWorkers: LifecycleHandler {
    private let pool = NIOLockedValueBox<WorkerPool?>(nil)

    func didBootAsync(_ application: Application) async throws {
        let count = application.services.config.queue.workers
        guard application.isServing, count > 0 else { return }
        let pool = WorkerPool(app: application, count: count)
        pool.start()
        self.pool.withLockedValue { $0 = pool }
    }

    func shutdownAsync(_ application: Application) async {
        // Vapor closes the HTTP server only after every lifecycle handler, Fluent's included,
        // so a request still arriving would find the databases closed. This handler runs first
        // (registered last): stop taking requests, finish those in hand, then stop the workers.
        await application.server.shutdown()
        await pool.withLockedValue({ $0 })?.stop()
    }
}
