import Fluent
import SQLKit

/// Enquiries waiting for SQLite's search index (039_IndexSearchInBatches), and the step that
/// indexes them. FTS5 writes a segment per transaction and merges segments as they pile up, so
/// a few hundred enquiries indexed in one transaction cost far less than each in its own
/// commit. `EnquiryWriter` runs the step between its commits once a batch of its enquiries
/// waits (a busy server); `recurringTask` indexes the rest every 10 s (a quiet one, and
/// enquiries stored another way: another process); Housekeeping empties the backlog hourly,
/// however large (a bulk import). On PostgreSQL there is no backlog.
enum EnquirySearchBacklog {
    static let table = "contact_submissions_search_pending"
    /// Enquiries per step: about 6 ms of indexing on 2 cores, so an enquiry that arrives during
    /// one waits little longer than for a commit.
    static let batchSize = 256

    /// Every 10 s, wherever job workers run: one step, like the writer's. It runs inside the
    /// scheduler's claim, as the email digest does (no job row for work this small), and holds
    /// SQLite's write lock that long, so it stays one step: intake's commits wait no longer for
    /// it than for the writer's own.
    static func recurringTask() -> RecurringTask {
        RecurringTask(name: "search-index", interval: 10) { _, db in
            _ = try await indexSome(on: db)
        }
    }

    /// Indexes up to `limit` waiting enquiries, oldest first, in one transaction; returns how many.
    static func indexSome(limit: Int = batchSize, on db: any Database) async throws -> Int {
        guard try db.sql().sqlDialect == .sqlite else { return 0 }
        return try await db.transaction { tx in
            let sql = try tx.sql()
            let batch: SQLQueryString = "SELECT id FROM \(unsafeRaw: table) ORDER BY id LIMIT \(bind: limit)"
            // The same batch twice: nothing else can write between them inside this transaction.
            try await sql.raw("""
                INSERT INTO contact_submissions_search (rowid, person, phone)
                SELECT id, \(unsafeRaw: EnquirySearch.document(.sqlite)), phone FROM contact_submissions
                WHERE id IN (\(batch))
                """).run()
            try await sql.raw("DELETE FROM \(unsafeRaw: table) WHERE id IN (\(batch))").run()
            return try await sql.raw("SELECT changes() AS n").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// Indexes every waiting enquiry, a batch at a time; returns how many.
    @discardableResult
    static func indexAll(on db: any Database) async throws -> Int {
        var total = 0
        while true {
            let indexed = try await indexSome(on: db)
            total += indexed
            if indexed < batchSize { return total }
        }
    }

    /// How many enquiries wait (0 on PostgreSQL).
    static func count(on db: any Database) async throws -> Int {
        let sql = try db.sql()
        guard sql.sqlDialect == .sqlite else { return 0 }
        return try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
