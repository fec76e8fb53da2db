import Fluent
import SQLKit

/// How many enquiries are in each status, and how many were exported, read from the changes
/// the `017_CountEnquiries` triggers append: a sum over a few rows, not a count of the table.
struct EnquiryCounts: Sendable, Equatable {
    /// Statuses no enquiry has are absent.
    var byStatus: [EnquiryStatus: Int] = [:]
    var exported = 0

    var total: Int { byStatus.values.reduce(0, +) }
    var notExported: Int { total - exported }
    func count(_ status: EnquiryStatus) -> Int { byStatus[status] ?? 0 }

    /// Past this many change rows a read folds them (the sum stays quick however long nobody looks).
    static let foldThreshold = 1_000

    static func read(on db: any Database) async throws -> EnquiryCounts {
        let sql = try db.sql()
        let rows = try await sql.raw("""
            SELECT status, exported, CAST(SUM(change) AS BIGINT) AS total, COUNT(*) AS changes
            FROM enquiry_count_changes GROUP BY status, exported
            """).all()
        var counts = EnquiryCounts()
        var changes = 0
        for row in rows {
            let total = try row.decode(column: "total", as: Int.self)
            changes += try row.decode(column: "changes", as: Int.self)
            guard total != 0, let status = EnquiryStatus(rawValue: try row.decode(column: "status", as: String.self)) else { continue }
            counts.byStatus[status, default: 0] += total
            if try row.decode(column: "exported", as: Int.self) != 0 { counts.exported += total }
        }
        // The counts are read already: a fold that fails (the database busy) waits for the next read
        // or the hourly upkeep rather than failing the page.
        if changes > foldThreshold { try? await fold(on: db) }
        return counts
    }

    /// Replaces the change rows with one per (status, exported) that is not zero. Writers are never blocked: on
    /// PostgreSQL one statement deletes exactly the rows it sums (rows committed meanwhile are
    /// neither summed nor deleted); on SQLite the write lock holds them off for the moment it takes.
    static func fold(on db: any Database) async throws {
        let sql = try db.sql()
        if sql.sqlDialect == .postgres {
            try await sql.raw("""
                WITH folded AS (DELETE FROM enquiry_count_changes RETURNING status, exported, change)
                INSERT INTO enquiry_count_changes (status, exported, change)
                SELECT status, exported, SUM(change) FROM folded GROUP BY status, exported HAVING SUM(change) <> 0
                """).run()
        } else {
            try await db.writeTransaction { tx in
                let sql = try tx.sql()
                let row = try await sql.raw("SELECT MAX(id) AS last FROM enquiry_count_changes").first()
                guard let last = try row?.decode(column: "last", as: Int?.self) else { return }
                try await sql.raw("""
                    INSERT INTO enquiry_count_changes (status, exported, change)
                    SELECT status, exported, SUM(change) FROM enquiry_count_changes WHERE id <= \(bind: last)
                    GROUP BY status, exported HAVING SUM(change) <> 0
                    """).run()
                try await sql.raw("DELETE FROM enquiry_count_changes WHERE id <= \(bind: last)").run()
            }
        }
    }
}
