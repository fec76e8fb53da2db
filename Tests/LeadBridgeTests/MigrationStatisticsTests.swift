import Fluent
import Foundation
@testable import LeadBridge
import SQLKit
import Testing

/// An install upgraded with enquiries already stored: after `migrate`, the planner has
/// statistics for the indexes 021 and 024 added, so "Synced within a minute" walks its index
/// instead of sorting every synced enquiry (177 ms at 200,000 on PostgreSQL before).
@Suite struct MigrationStatisticsTests {
    @Test func theNewIndexesHaveStatisticsOnceMigrated() async throws {
        try await withApp { app in
            let sql = app.db as! any SQLDatabase
            let postgres = (sql.sqlDialect == .postgres)
            // No background ANALYZE may do the migration's work for it during the test.
            if postgres { try await sql.raw("ALTER TABLE contact_submissions SET (autovacuum_enabled = false)").run() }
            let now = Date()
            for batch in 0..<4 {
                var insert = sql.insert(into: "contact_submissions")
                    .columns("first_name", "email", "source", "consent", "status", "created_at", "updated_at", "synced_at")
                for index in 0..<100 {
                    let created = now.addingTimeInterval(-Double(batch * 100 + index) * 600)
                    insert = insert.values(SQLBind("Person"), SQLBind("p\(batch)-\(index)@example.com"), SQLBind("website"), SQLBind(true),
                                           SQLBind(index % 3 == 0 ? "pending" : "synced"), SQLBind(created), SQLBind(created),
                                           SQLBind(index % 3 == 0 ? nil : created.addingTimeInterval(Double(index % 7) * 30)))
                }
                try await insert.run()
            }
            // The install as it was before this migration, with its enquiries: then `migrate`.
            try await sql.raw("DELETE FROM _fluent_migrations WHERE name = '025_AnalyzeNewIndexes'").run()
            if !postgres { try await sql.raw("DELETE FROM sqlite_stat1 WHERE tbl = 'contact_submissions'").run() }
            try await app.autoMigrate()

            if postgres {
                // An expression index's statistics are kept under the index's name.
                let rows = try await sql.raw("SELECT COUNT(*) AS n FROM pg_stats WHERE tablename = 'contact_submissions_sync_speed_index'").first()
                #expect(try rows?.decode(column: "n", as: Int.self) ?? 0 > 0)
            } else {
                let rows = try await sql.raw("SELECT idx FROM sqlite_stat1 WHERE tbl = 'contact_submissions'").all()
                let indexes = Set(try rows.map { try $0.decode(column: "idx", as: String?.self) ?? "" })
                for index in ["contact_submissions_sync_speed_index", "contact_submissions_first_contact_index", "contact_submissions_waiting_index"] {
                    #expect(indexes.contains(index), "\(index) has no statistics: \(indexes)")
                }
            }
        }
    }
}
