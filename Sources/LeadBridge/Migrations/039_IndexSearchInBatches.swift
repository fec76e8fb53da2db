import Fluent
import SQLKit

/// SQLite's search index is written in batches, off the intake path (issue #30's p99).
///
/// Until now an AFTER INSERT trigger wrote each enquiry into the FTS5 trigram table inside the
/// enquiry's own commit. FTS5 writes one segment per transaction and merges segments as they
/// pile up, so each small intake commit paid a flush and, now and then, a merge that grows
/// with the table: at 190,000 enquiries intake served 2,939 requests/s with a p99 of 31 ms,
/// and 3,266 with a p99 of 20 ms with that trigger alone dropped (docs/benchmarks.md).
///
/// Now a new enquiry's id goes into `contact_submissions_search_pending` (one integer in a
/// B-tree), and `EnquirySearchBacklog` moves pending enquiries into the index a few hundred at
/// a time. The search reads pending enquiries directly, so it never misses one. Edits and
/// erasures follow whichever side the enquiry is on: a contentless FTS5 table forgets a row
/// only by being told exactly what it indexed, so a pending enquiry must never be "forgotten"
/// there. A queue table, not a high-water id: ids may be reused once the newest is erased.
/// PostgreSQL's GIN index is left as it is (its own pending list already defers the work).
struct IndexSearchInBatches: AsyncMigration {
    var name: String { "039_IndexSearchInBatches" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.sqlDialect == .sqlite else { return }
        let document = EnquirySearch.document(.sqlite)
        let newRow = document.replacingOccurrences(of: "coalesce(", with: "coalesce(NEW.")
        let oldRow = document.replacingOccurrences(of: "coalesce(", with: "coalesce(OLD.")
        let pending = EnquirySearchBacklog.table
        let isPending = "EXISTS (SELECT 1 FROM \(pending) WHERE id = OLD.id)"
        try await database.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.raw("CREATE TABLE \(unsafeRaw: pending) (id INTEGER PRIMARY KEY)").run()
            for name in ["insert", "update", "delete"] {
                try await sql.raw("DROP TRIGGER IF EXISTS contact_submissions_search_\(unsafeRaw: name)").run()
            }
            try await sql.raw("""
                CREATE TRIGGER contact_submissions_search_insert AFTER INSERT ON contact_submissions BEGIN
                  INSERT INTO \(unsafeRaw: pending) (id) VALUES (NEW.id);
                END
                """).run()
            // A pending enquiry is indexed as it is when its turn comes: nothing to do now.
            try await sql.raw("""
                CREATE TRIGGER contact_submissions_search_update AFTER UPDATE OF \(unsafeRaw: EnquirySearchIndex.updateOf)
                ON contact_submissions WHEN NOT \(unsafeRaw: isPending) BEGIN
                  INSERT INTO contact_submissions_search (contact_submissions_search, rowid, person, phone)
                    VALUES ('delete', OLD.id, \(unsafeRaw: oldRow), OLD.phone);
                  INSERT INTO contact_submissions_search (rowid, person, phone) VALUES (NEW.id, \(unsafeRaw: newRow), NEW.phone);
                END
                """).run()
            try await sql.raw("""
                CREATE TRIGGER contact_submissions_search_delete AFTER DELETE ON contact_submissions BEGIN
                  INSERT INTO contact_submissions_search (contact_submissions_search, rowid, person, phone)
                    SELECT 'delete', OLD.id, \(unsafeRaw: oldRow), OLD.phone WHERE NOT \(unsafeRaw: isPending);
                  DELETE FROM \(unsafeRaw: pending) WHERE id = OLD.id;
                END
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.sqlDialect == .sqlite else { return }
        try await database.transaction { tx in
            // In the same transaction as the triggers' swap: an enquiry stored in between would
            // otherwise lose its place in the backlog and never be indexed.
            try await EnquirySearchBacklog.indexAll(on: tx)
            try await EnquirySearchIndex.createTriggers(document: EnquirySearch.document(.sqlite),
                                                        updateOf: EnquirySearchIndex.updateOf, on: tx as! any SQLDatabase)
            try await (tx as! any SQLDatabase).raw("DROP TABLE \(unsafeRaw: EnquirySearchBacklog.table)").run()
        }
    }
}
