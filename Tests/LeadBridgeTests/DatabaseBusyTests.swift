import FluentSQLiteDriver
import NIOConcurrencyHelpers
@testable import LeadBridge
import SQLKit
import Testing
import Vapor
import VaporTesting

/// SQLite answers "database is locked" at once, without waiting, when a transaction that began by
/// reading must write after another connection took the write lock. Under load intake saw this
/// (a 500, the enquiry not stored); it is now retried, and if it persists answered 503.
@Suite struct DatabaseBusyTests {
    /// Two transactions on two connections: one holds SQLite's write lock for a moment; the other
    /// reads, then writes. Returns what the second one threw, if anything.
    private static func readThenWriteWhileLocked(_ app: Application, retried: Bool) async throws -> (error: (any Error)?, attempts: Int) {
        let loops = Array(app.eventLoopGroup.makeIterator())
        let holderDB = app.databases.database(.sqlite, logger: app.logger, on: loops[0])!
        let readerDB = app.databases.database(.sqlite, logger: app.logger, on: loops[1 % loops.count])!
        let locked = AsyncStream<Void>.makeStream()
        let tried = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await holderDB.transaction { tx in
                try await (tx as! any SQLDatabase).raw("INSERT INTO scheduled_tasks (name, last_period, updated_at) VALUES ('holder', 0, \(bind: Date()))").run()
                locked.continuation.yield()
                // Holds the lock until the other transaction has tried to write (or 5 s pass).
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { for await _ in tried.stream { break } }
                    group.addTask { try? await Task.sleep(nanoseconds: 5_000_000_000) }
                    await group.next()
                    group.cancelAll()
                }
            }
        }
        for await _ in locked.stream { break }
        let attempts = ManagedCounter()
        let body: @Sendable () async throws -> Void = {
            attempts.increment()
            do {
                try await readerDB.transaction { tx in
                    let sql = tx as! any SQLDatabase
                    _ = try await sql.raw("SELECT COUNT(*) AS n FROM scheduled_tasks").all()
                    try await sql.raw("INSERT INTO scheduled_tasks (name, last_period, updated_at) VALUES ('reader', 0, \(bind: Date()))").run()
                }
            } catch {
                tried.continuation.yield()
                throw error
            }
        }
        var thrown: (any Error)?
        do {
            if retried { try await DatabaseBusy.retrying(body) } else { try await body() }
        } catch { thrown = error }
        try await holder.value
        return (thrown, attempts.value)
    }

    @Test func aTransactionRefusedAsBusyRunsAgainOnceTheOtherWriterIsDone() async throws {
        try await withApp { app in
            guard (app.db as? any SQLDatabase)?.dialect.name == "sqlite" else { return }
            // Without the retry SQLite refuses it outright: the failure intake saw.
            let once = try await Self.readThenWriteWhileLocked(app, retried: false)
            let refusal = try #require(once.error)
            #expect(DatabaseBusy.isBusy(refusal))

            // The middleware turns a busy that outlasts the retries into a 503 with a sentence.
            let response = AppErrorMiddleware().response(for: refusal, request: Request(application: app, on: app.eventLoopGroup.next()))
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers.first(name: "Retry-After") == "1")
            #expect(response.body.string?.contains("did not finish; please send it again") == true)

            try await (app.db as! any SQLDatabase).raw("DELETE FROM scheduled_tasks WHERE name IN ('holder', 'reader')").run()
            let retried = try await Self.readThenWriteWhileLocked(app, retried: true)
            #expect(retried.error == nil)
            #expect(retried.attempts > 1)
            let rows = try await (app.db as! any SQLDatabase).raw("SELECT name FROM scheduled_tasks WHERE name IN ('holder', 'reader')").all()
            #expect(rows.count == 2)
        }
    }

    @Test func otherErrorsAreNotRetried() async throws {
        let attempts = ManagedCounter()
        await #expect(throws: Abort.self) {
            try await DatabaseBusy.retrying { attempts.increment(); throw Abort(.badRequest) }
        }
        #expect(attempts.value == 1)
        #expect(!DatabaseBusy.isBusy(Abort(.badRequest)))
    }
}

/// A counter a `@Sendable` closure can bump.
private final class ManagedCounter: Sendable {
    private let box = NIOLockedValueBox(0)
    func increment() { box.withLockedValue { $0 += 1 } }
    var value: Int { box.withLockedValue { $0 } }
}
