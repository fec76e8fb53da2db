import FluentSQLiteDriver
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Vapor

/// Keeps SQLite's write-ahead log short from outside the enquiries' commits (issue #30).
///
/// SQLite checkpoints on its own once the log passes 1,000 pages, and it does so inside the
/// COMMIT that crossed the line: the grouped commit of `EnquiryWriter` then also copies those
/// pages into the database file and fsyncs it, and every visitor in that group waits for it.
/// This copies them every `interval` on a connection and a thread of its own, with PASSIVE (it
/// never blocks a writer or a reader). A log kept below the threshold is never checkpointed by a
/// commit; should a commit still cross it, its attempt finds the checkpoint lock taken and
/// returns at once. Durability is unchanged: commits still fsync the log (synchronous=FULL).
final class WALCheckpointer: LifecycleHandler, Sendable {
    let path: String
    let interval: TimeAmount
    private let pool = NIOThreadPool(numberOfThreads: 1)
    private let running = NIOLockedValueBox<(task: Task<Void, Never>, connection: SQLiteConnection)?>(nil)
    /// Checkpoints that copied at least one page (for tests and curiosity).
    let checkpoints = ManagedAtomicCounter()

    init(path: String, interval: TimeAmount = .milliseconds(100)) {
        self.path = path
        self.interval = interval
    }

    func didBootAsync(_ application: Application) async throws {
        pool.start()
        let connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: pool,
                                                         logger: application.logger, on: application.eventLoopGroup.any())
        let logger = application.logger
        let interval = self.interval
        let counter = checkpoints
        let task = Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval.nanoseconds))
                do {
                    // One row: busy (0/1), frames in the log, frames copied into the database.
                    let rows = try await connection.query("PRAGMA wal_checkpoint(PASSIVE)")
                    if let row = rows.first, let copied = row.column("checkpointed")?.integer, copied > 0 { counter.increment() }
                } catch {
                    logger.debug("A background WAL checkpoint did not run; SQLite will checkpoint on commit.", metadata: ["error": "\(error)"])
                }
            }
        }
        running.withLockedValue { $0 = (task, connection) }
    }

    func shutdownAsync(_ application: Application) async {
        guard let (task, connection) = running.withLockedValue({ value -> (Task<Void, Never>, SQLiteConnection)? in
            defer { value = nil }
            return value
        }) else { return }
        task.cancel()
        await task.value
        try? await connection.close()
        try? await pool.shutdownGracefully()
    }
}

/// A counter safe to bump from any thread.
final class ManagedAtomicCounter: Sendable {
    private let value = NIOLockedValueBox(0)
    func increment() { value.withLockedValue { $0 += 1 } }
    var count: Int { value.withLockedValue { $0 } }
}
