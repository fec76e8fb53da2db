import Fluent
import SQLKit

/// Spam is kept, not dropped: an enquiry judged spam is stored with the status `spam` and the
/// reason (`spam_reason`), for a person to release or delete. And the rules that judge it,
/// which an admin edits (`spam_rules`).
///
/// The status's CHECK constraint gains `spam`. PostgreSQL drops and adds it. SQLite cannot
/// alter a constraint; its documented way for a change that leaves every stored row valid
/// ("Making Other Kinds Of Table Schema Changes", sqlite.org/lang_altertable.html) is to edit
/// the table's definition in `sqlite_schema` under `writable_schema` and bump
/// `schema_version`, which is what this does: the list only grows, so no row changes meaning.
struct KeepSpam: AsyncMigration {
    var name: String { "031_KeepSpam" }

    static let before = "'pending', 'synced', 'exported', 'failed'"
    static let after = "'pending', 'synced', 'exported', 'failed', 'spam'"

    func prepare(on database: any Database) async throws {
        try await Self.statuses(Self.before, to: Self.after, on: database)
        try await database.schema(Enquiry.schema).field("spam_reason", .varchar(200)).update()
        try await database.schema("spam_rules")
            .bigIntID()
            // `phrase`, `links`, `email_domain`, `email`, `network`.
            .field("kind", .varchar(20), .required)
            .field("value", .varchar(200), .required)
            .field("created_by", .varchar(254))
            .field("created_at", .datetime)
            .unique(on: "kind", "value")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("spam_rules").delete()
        try await database.sql().raw("DELETE FROM contact_submissions WHERE status = 'spam'").run()
        try await database.schema(Enquiry.schema).deleteField("spam_reason").update()
        try await Self.statuses(Self.after, to: Self.before, on: database)
    }

    static func statuses(_ from: String, to: String, on database: any Database) async throws {
        let sql = try database.sql()
        if sql.sqlDialect == .postgres {
            try await sql.raw("ALTER TABLE contact_submissions DROP CONSTRAINT IF EXISTS contact_submissions_status_check").run()
            try await sql.raw("ALTER TABLE contact_submissions ADD CONSTRAINT contact_submissions_status_check CHECK (status IN (\(unsafeRaw: to)))").run()
            return
        }
        let version = try await sql.raw("PRAGMA schema_version").first()?.decode(column: "schema_version", as: Int.self) ?? 0
        try await sql.raw("PRAGMA writable_schema = ON").run()
        try await sql.raw("""
            UPDATE sqlite_schema SET sql = replace(sql, \(bind: "IN (" + from + ")"), \(bind: "IN (" + to + ")"))
            WHERE type = 'table' AND name = 'contact_submissions'
            """).run()
        try await sql.raw("PRAGMA schema_version = \(unsafeRaw: String(version + 1))").run()
        try await sql.raw("PRAGMA writable_schema = OFF").run()
    }
}
