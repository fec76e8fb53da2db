import Foundation
import SQLKit
import Testing
import Vapor
@testable import LeadBridge

/// The write-ahead log is checkpointed beside the commits, not inside them (issue #30's p99).
@Suite("WAL checkpoints in the background")
struct WALCheckpointerTests {
    @Test("while enquiries are written, the background connection copies the log into the database")
    func copiesTheLogWhileWritersWrite() async throws {
        try await withApp { app in
            guard app.services.config.databaseURL == nil else { return }   // SQLite only
            let checkpointer = WALCheckpointer(path: app.services.config.sqlitePath, interval: .milliseconds(20))
            try await checkpointer.didBootAsync(app)
            let sql = app.db as! any SQLDatabase
            for batch in 0..<20 {
                let values = (0..<100).map { "('Ada', 'wal\(batch)-\($0)@example.com', 'website', 1, 'pending', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)" }
                try await sql.raw("""
                    INSERT INTO contact_submissions (first_name, email, source, consent, status, created_at, updated_at)
                    VALUES \(unsafeRaw: values.joined(separator: ", "))
                    """).run()
            }
            let deadline = Date().addingTimeInterval(10)
            while checkpointer.checkpoints.count == 0, Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
            await checkpointer.shutdownAsync(app)
            #expect(checkpointer.checkpoints.count > 0, "the background connection checkpointed")
            #expect(try await Enquiry.query(on: app.db).count() == 2_000, "the writers were not disturbed")
        }
    }
}
