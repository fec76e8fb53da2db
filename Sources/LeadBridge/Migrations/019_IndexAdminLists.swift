import Fluent
import SQLKit

/// Indexes in the order each admin list is read, so a filtered page is a range of an index
/// rather than every matching row sorted (figures: docs/benchmarks.md, "Measurements behind the code").
struct IndexAdminLists: AsyncMigration {
    var name: String { "019_IndexAdminLists" }

    static let indexes: [(name: String, table: String, columns: [String])] = [
        ("contact_submissions_status_created_at_index", "contact_submissions", ["status", "created_at", "id"]),
        ("contact_submissions_created_at_id_index", "contact_submissions", ["created_at", "id"]),
        ("call_logs_start_time_id_index", "call_logs", ["start_time", "id"]),
        ("call_logs_matched_start_time_index", "call_logs", ["contact_submission_id", "start_time"]),
        ("integration_logs_provider_id_index", "integration_logs", ["provider", "id"]),
        ("integration_logs_action_id_index", "integration_logs", ["action", "id"]),
        ("integration_logs_status_id_index", "integration_logs", ["status", "id"]),
    ]

    /// Each is the first column of one above, so it only cost writes.
    static let replaced: [(name: String, table: String, columns: [String])] = [
        ("contact_submissions_status_index", "contact_submissions", ["status"]),
        ("contact_submissions_created_at_index", "contact_submissions", ["created_at"]),
        ("call_logs_start_time_index", "call_logs", ["start_time"]),
        ("call_logs_contact_submission_index", "call_logs", ["contact_submission_id"]),
    ]

    func prepare(on database: any Database) async throws {
        for index in Self.indexes {
            try await database.createIndex(index.name, on: index.table, columns: index.columns)
        }
        for index in Self.replaced { try await database.dropIndex(index.name) }
        // The query planners learn the new indexes' shape now, not at some later ANALYZE: until
        // then SQLite kept choosing the old one-column index and sorting every call.
        if let sql = database as? any SQLDatabase {
            for table in ["contact_submissions", "call_logs", "integration_logs", "sms_messages"] {
                try await sql.raw("ANALYZE \(ident: table)").run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        for index in Self.replaced { try await database.createIndex(index.name, on: index.table, columns: index.columns) }
        for index in Self.indexes.reversed() { try await database.dropIndex(index.name) }
    }
}
