import Fluent
import SQLKit

/// The enquiries search ("a part of a name, email, company or phone") answered from an index
/// instead of reading every row: SQLite's FTS5 with the `trigram` tokenizer (a contentless
/// table kept by triggers), PostgreSQL's `pg_trgm` GIN indexes. Both find any substring of
/// three characters or more, ignoring case, as the `LIKE '%q%'` search they replace did.
struct IndexEnquirySearch: AsyncMigration {
    var name: String { "018_IndexEnquirySearch" }

    func prepare(on database: any Database) async throws {
        // The document as it was then; 030 rebuilds the index with the extra fields in it.
        try await EnquirySearchIndex.create(documentSQLite: EnquirySearch.documentBefore030(.sqlite),
                                            documentPostgres: EnquirySearch.documentBefore030(.postgres),
                                            updateOf: "first_name, last_name, email, company, phone", on: database)
    }

    func revert(on database: any Database) async throws {
        try await EnquirySearchIndex.drop(on: database)
    }
}

/// The search index's tables, triggers and indexes for one search document (018, and 030 again).
enum EnquirySearchIndex {
    static func create(documentSQLite: String, documentPostgres: String, updateOf: String, on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        if (sql.sqlDialect == .postgres) {
            // pg_trgm ships with PostgreSQL and is a trusted extension (13+): the database's owner may create it.
            try await sql.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm").run()
            try await sql.raw("""
                CREATE INDEX IF NOT EXISTS contact_submissions_search_index ON contact_submissions
                USING gin ((\(unsafeRaw: documentPostgres)) gin_trgm_ops)
                """).run()
            try await sql.raw("""
                CREATE INDEX IF NOT EXISTS contact_submissions_phone_search_index ON contact_submissions
                USING gin (phone gin_trgm_ops)
                """).run()
            return
        }
        try await database.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.raw("""
                CREATE VIRTUAL TABLE contact_submissions_search USING fts5(
                    person, phone, content = '', tokenize = 'trigram')
                """).run()
            try await createTriggers(document: documentSQLite, updateOf: updateOf, on: sql)
            try await sql.raw("""
                INSERT INTO contact_submissions_search (rowid, person, phone)
                SELECT id, \(unsafeRaw: documentSQLite), phone FROM contact_submissions
                """).run()
        }
    }

    /// The columns whose change re-indexes an enquiry (the document's and the phone), since 030.
    static let updateOf = "first_name, last_name, email, company, phone, extra_fields"

    /// The triggers that keep the index in step within each write (018 to 038; 039 writes in batches instead).
    static func createTriggers(document: String, updateOf: String, on sql: any SQLDatabase) async throws {
        let newRow = document.replacingOccurrences(of: "coalesce(", with: "coalesce(NEW.")
        let oldRow = document.replacingOccurrences(of: "coalesce(", with: "coalesce(OLD.")
        // A contentless table forgets a row by being told its old values; `contentless_delete`
        // would spare that, but needs SQLite 3.43, and Debian 12's sqlite3 (3.40), which
        // operators use on this file, could then not write to the table at all.
        let forgetOld = "INSERT INTO contact_submissions_search (contact_submissions_search, rowid, person, phone) "
            + "VALUES ('delete', OLD.id, \(oldRow), OLD.phone);"
        for name in ["insert", "update", "delete"] {
            try await sql.raw("DROP TRIGGER IF EXISTS contact_submissions_search_\(unsafeRaw: name)").run()
        }
        try await sql.raw("""
            CREATE TRIGGER contact_submissions_search_insert AFTER INSERT ON contact_submissions BEGIN
              INSERT INTO contact_submissions_search (rowid, person, phone) VALUES (NEW.id, \(unsafeRaw: newRow), NEW.phone);
            END
            """).run()
        try await sql.raw("""
            CREATE TRIGGER contact_submissions_search_update AFTER UPDATE OF \(unsafeRaw: updateOf)
            ON contact_submissions BEGIN
              \(unsafeRaw: forgetOld)
              INSERT INTO contact_submissions_search (rowid, person, phone) VALUES (NEW.id, \(unsafeRaw: newRow), NEW.phone);
            END
            """).run()
        try await sql.raw("""
            CREATE TRIGGER contact_submissions_search_delete AFTER DELETE ON contact_submissions BEGIN
              \(unsafeRaw: forgetOld)
            END
            """).run()
    }

    static func drop(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        if (sql.sqlDialect == .postgres) {
            try await sql.raw("DROP INDEX IF EXISTS contact_submissions_search_index").run()
            try await sql.raw("DROP INDEX IF EXISTS contact_submissions_phone_search_index").run()
            return
        }
        for name in ["insert", "update", "delete"] {
            try await sql.raw("DROP TRIGGER IF EXISTS contact_submissions_search_\(unsafeRaw: name)").run()
        }
        try await sql.raw("DROP TABLE IF EXISTS contact_submissions_search").run()
    }
}
