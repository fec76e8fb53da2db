import FluentKit
import SQLKit

extension Database {
    /// A transaction that holds SQLite's write lock from its first statement; on PostgreSQL, a plain one.
    ///
    /// Fluent opens SQLite transactions DEFERRED: they begin as readers and become writers at their
    /// first write. In WAL mode a reader cannot become a writer once another connection has committed
    /// since it began (SQLITE_BUSY_SNAPSHOT), nor while another reader waits to do the same
    /// (SQLITE_BUSY). SQLite answers those at once instead of waiting, so a read-then-write transaction
    /// failed whenever the job workers or a session wrote at the same moment (the setup form answered
    /// 500). A write as the first statement takes the lock before any snapshot exists, so the
    /// transaction waits its turn instead, as `BEGIN IMMEDIATE` would.
    ///
    /// Use it for a transaction that reads before it writes. One whose first statement writes takes
    /// the lock there already; gating every transaction held the lock longer for nothing and, with
    /// sqlite-nio's busy handler spinning on the small blocking-thread pool, stalled the test suite.
    ///
    /// A busy answer that still comes back (SQLite refuses rather than waits in a few WAL cases)
    /// rolls the whole transaction back, so it is run again (`DatabaseBusy.retrying`): an admin's
    /// Save answered 503 in Chromium while the SuiteDash worker retried beside it.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await DatabaseBusy.retrying {
            try await transaction { tx in
                if tx.sqlDialect == .sqlite, let sql = tx as? any SQLDatabase {
                    // Deletes nothing, but SQLite takes the write lock to run it.
                    try await sql.raw("DELETE FROM jobs WHERE 0").run()
                }
                return try await body(tx)
            }
        }
    }

    /// Inside a `writeTransaction`: holds `users` against other writers until the transaction
    /// ends, so a check of who can sign in and the change it guards are one step. SQLite's write
    /// lock already does it; PostgreSQL needs the table held.
    func lockUsersForChange() async throws {
        try await sql().lockTableAgainstWriters("users")
    }
}
