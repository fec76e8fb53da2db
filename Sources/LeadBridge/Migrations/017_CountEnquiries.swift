import Fluent
import SQLKit

/// How many enquiries are in each status (and how many were exported), without counting a
/// million rows on each page view.
///
/// Triggers on `contact_submissions` append a `+1` or `-1` row to `enquiry_count_changes` for
/// each insert, delete, and change of status or export; a count is the sum of them, and
/// `EnquiryCounts.fold` sums old rows into one per key now and then. Appending, rather than
/// updating one counter row per status, means two transactions never wait for each other (or
/// deadlock) on a counter: on PostgreSQL an export marking thousands of rows and a sync job
/// changing one would otherwise lock the same few rows in opposite orders.
struct CountEnquiries: AsyncMigration {
    var name: String { "017_CountEnquiries" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let postgres = (sql.sqlDialect == .postgres)
        try await database.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await tx.schema("enquiry_count_changes")
                .bigIntID()
                .field("status", .varchar(50), .required)
                .field("exported", .int16, .required)
                .field("change", .int64, .required)
                .create()
            if postgres {
                // Writers wait for the count to be taken, so none is counted twice or missed.
                try await sql.raw("LOCK TABLE contact_submissions IN SHARE MODE").run()
                try await sql.raw("""
                    CREATE OR REPLACE FUNCTION leadbridge_count_enquiry() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        INSERT INTO enquiry_count_changes (status, exported, change)
                        VALUES (OLD.status, (OLD.exported_at IS NOT NULL)::int, -1);
                      END IF;
                      IF TG_OP IN ('UPDATE', 'INSERT') THEN
                        INSERT INTO enquiry_count_changes (status, exported, change)
                        VALUES (NEW.status, (NEW.exported_at IS NOT NULL)::int, 1);
                      END IF;
                      RETURN NULL;
                    END $$
                    """).run()
                try await sql.raw("""
                    CREATE TRIGGER contact_submissions_count_insert_delete AFTER INSERT OR DELETE ON contact_submissions
                    FOR EACH ROW EXECUTE FUNCTION leadbridge_count_enquiry()
                    """).run()
                try await sql.raw("""
                    CREATE TRIGGER contact_submissions_count_update AFTER UPDATE OF status, exported_at ON contact_submissions
                    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                                       OR (OLD.exported_at IS NULL) <> (NEW.exported_at IS NULL))
                    EXECUTE FUNCTION leadbridge_count_enquiry()
                    """).run()
            } else {
                try await sql.raw("""
                    CREATE TRIGGER contact_submissions_count_insert AFTER INSERT ON contact_submissions BEGIN
                      INSERT INTO enquiry_count_changes (status, exported, change) VALUES (NEW.status, NEW.exported_at IS NOT NULL, 1);
                    END
                    """).run()
                try await sql.raw("""
                    CREATE TRIGGER contact_submissions_count_delete AFTER DELETE ON contact_submissions BEGIN
                      INSERT INTO enquiry_count_changes (status, exported, change) VALUES (OLD.status, OLD.exported_at IS NOT NULL, -1);
                    END
                    """).run()
                try await sql.raw("""
                    CREATE TRIGGER contact_submissions_count_update AFTER UPDATE OF status, exported_at ON contact_submissions
                    WHEN OLD.status IS NOT NEW.status OR (OLD.exported_at IS NULL) <> (NEW.exported_at IS NULL) BEGIN
                      INSERT INTO enquiry_count_changes (status, exported, change) VALUES (OLD.status, OLD.exported_at IS NOT NULL, -1);
                      INSERT INTO enquiry_count_changes (status, exported, change) VALUES (NEW.status, NEW.exported_at IS NOT NULL, 1);
                    END
                    """).run()
            }
            let exported: SQLQueryString = postgres ? "(exported_at IS NOT NULL)::int" : "exported_at IS NOT NULL"
            try await sql.raw("""
                INSERT INTO enquiry_count_changes (status, exported, change)
                SELECT status, \(exported), count(*) FROM contact_submissions GROUP BY 1, 2
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        if (sql.sqlDialect == .postgres) {
            try await sql.raw("DROP TRIGGER IF EXISTS contact_submissions_count_insert_delete ON contact_submissions").run()
            try await sql.raw("DROP TRIGGER IF EXISTS contact_submissions_count_update ON contact_submissions").run()
            try await sql.raw("DROP FUNCTION IF EXISTS leadbridge_count_enquiry()").run()
        } else {
            for name in ["insert", "delete", "update"] {
                try await sql.raw("DROP TRIGGER IF EXISTS contact_submissions_count_\(unsafeRaw: name)").run()
            }
        }
        try await database.schema("enquiry_count_changes").delete()
    }
}
