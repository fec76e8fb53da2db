import Fluent
import SQLKit

/// Counts per day for the dashboard's charts (enquiries by status and sync speed, calls and
/// texts by direction) and for SuiteDash's monthly budget (calls SuiteDash answered, read
/// before every sync), without scanning a million rows each time. As in
/// `017_CountEnquiries`, triggers append `+1`/`-1` rows to `daily_count_changes` and reads sum
/// them; `DailyCounts.fold` sums old rows now and then.
///
/// A day is the whole days since 1970-01-01 in UTC (the admin's dates are UTC). An enquiry's key
/// is its status, and for a synced one how long after arriving it was synced:
/// `synced/minute` (within 60 s), `synced/hour` (within an hour), `synced/later`.
/// A call is counted on the day it started (stored, when RingCentral gave no start), a text on
/// the day it was stored, keyed by direction (`unknown` for a call without one).
struct CountByDay: AsyncMigration {
    var name: String { "021_CountByDay" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let postgres = (sql.sqlDialect == .postgres)
        try await database.transaction { tx in
            let sql = tx as! any SQLDatabase
            try await tx.schema("daily_count_changes")
                .bigIntID()
                .field("metric", .varchar(20), .required)
                .field("day", .int32, .required)
                .field("key", .varchar(40), .required)
                .field("change", .int64, .required)
                .create()
            try await sql.raw("CREATE INDEX daily_count_changes_metric_day ON daily_count_changes (metric, day)").run()
            // The charts' links to "synced within a minute / an hour / later": a range of this index.
            let speed = EnquiryListRange.SyncSpeed.expression(postgres ? .postgres : .sqlite)
            try await sql.raw(SQLQueryString(stringLiteral:
                "CREATE INDEX contact_submissions_sync_speed_index ON contact_submissions ((\(speed)), created_at, id)")).run()
            if postgres {
                try await sql.raw("LOCK TABLE contact_submissions, call_logs, sms_messages, integration_logs IN SHARE MODE").run()
                for statement in Self.postgresTriggers { try await sql.raw(SQLQueryString(stringLiteral: statement)).run() }
            } else {
                for statement in Self.sqliteTriggers { try await sql.raw(SQLQueryString(stringLiteral: statement)).run() }
            }
            for statement in Self.backfill(postgres: postgres) { try await sql.raw(SQLQueryString(stringLiteral: statement)).run() }
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        if (sql.sqlDialect == .postgres) {
            for (table, names) in Self.triggerNames {
                for name in names { try await sql.raw(SQLQueryString(stringLiteral: "DROP TRIGGER IF EXISTS \(name) ON \(table)")).run() }
            }
            for function in ["leadbridge_day_enquiry", "leadbridge_day_call", "leadbridge_day_text", "leadbridge_day_suitedash_call"] {
                try await sql.raw(SQLQueryString(stringLiteral: "DROP FUNCTION IF EXISTS \(function)()")).run()
            }
        } else {
            for (_, names) in Self.triggerNames {
                for name in names { try await sql.raw(SQLQueryString(stringLiteral: "DROP TRIGGER IF EXISTS \(name)")).run() }
            }
        }
        try await sql.raw("DROP INDEX IF EXISTS contact_submissions_sync_speed_index").run()
        try await database.schema("daily_count_changes").delete()
    }

    static let triggerNames: [(String, [String])] = [
        ("contact_submissions", ["contact_submissions_day_insert", "contact_submissions_day_delete", "contact_submissions_day_update"]),
        ("call_logs", ["call_logs_day_insert", "call_logs_day_delete"]),
        ("sms_messages", ["sms_messages_day_insert", "sms_messages_day_delete"]),
        ("call_logs", ["call_logs_day_update"]),
        ("integration_logs", ["integration_logs_day_insert", "integration_logs_day_delete", "integration_logs_day_update"]),
    ]

    // MARK: SQLite (dates are seconds since 1970, as REAL)

    static func sqliteEnquiryKey(_ row: String) -> String {
        """
        \(row).status || CASE WHEN \(row).status = 'synced' THEN
          CASE WHEN \(row).synced_at - \(row).created_at <= 60 THEN '/minute'
               WHEN \(row).synced_at - \(row).created_at <= 3600 THEN '/hour' ELSE '/later' END ELSE '' END
        """
    }
    /// A row written by hand without the date counts on day 0 (1970-01-01): outside every chart,
    /// and the same day whenever the row changes, so its +1 and -1 meet.
    static func sqliteDay(_ column: String) -> String { "CAST(COALESCE(\(column), 0) / 86400 AS INTEGER)" }

    static var sqliteTriggers: [String] {
        let enquiry = { (row: String, change: Int) in
            "INSERT INTO daily_count_changes (metric, day, key, change) VALUES ('enquiries', \(sqliteDay(row + ".created_at")), \(sqliteEnquiryKey(row)), \(change));"
        }
        let call = { (row: String, change: Int) in
            "INSERT INTO daily_count_changes (metric, day, key, change) VALUES ('calls', \(sqliteDay("COALESCE(\(row).start_time, \(row).created_at)")), COALESCE(\(row).direction, 'unknown'), \(change));"
        }
        let text = { (row: String, change: Int) in
            "INSERT INTO daily_count_changes (metric, day, key, change) VALUES ('texts', \(sqliteDay(row + ".created_at")), \(row).direction, \(change));"
        }
        return [
            "CREATE TRIGGER contact_submissions_day_insert AFTER INSERT ON contact_submissions BEGIN \(enquiry("NEW", 1)) END",
            "CREATE TRIGGER contact_submissions_day_delete AFTER DELETE ON contact_submissions BEGIN \(enquiry("OLD", -1)) END",
            """
            CREATE TRIGGER contact_submissions_day_update AFTER UPDATE OF status, created_at, synced_at ON contact_submissions
            WHEN OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at OR OLD.synced_at IS NOT NEW.synced_at BEGIN
              \(enquiry("OLD", -1)) \(enquiry("NEW", 1))
            END
            """,
            "CREATE TRIGGER call_logs_day_insert AFTER INSERT ON call_logs BEGIN \(call("NEW", 1)) END",
            "CREATE TRIGGER call_logs_day_delete AFTER DELETE ON call_logs BEGIN \(call("OLD", -1)) END",
            "CREATE TRIGGER sms_messages_day_insert AFTER INSERT ON sms_messages BEGIN \(text("NEW", 1)) END",
            "CREATE TRIGGER sms_messages_day_delete AFTER DELETE ON sms_messages BEGIN \(text("OLD", -1)) END",
            // The call-log sync rewrites a call it fetched again: its day or direction may move.
            """
            CREATE TRIGGER call_logs_day_update AFTER UPDATE OF direction, start_time, created_at ON call_logs
            WHEN OLD.direction IS NOT NEW.direction OR OLD.start_time IS NOT NEW.start_time OR OLD.created_at IS NOT NEW.created_at BEGIN
              \(call("OLD", -1)) \(call("NEW", 1))
            END
            """,
            "CREATE TRIGGER integration_logs_day_insert AFTER INSERT ON integration_logs WHEN \(suiteDashCall("NEW")) BEGIN \(apiCall("NEW", 1)) END",
            "CREATE TRIGGER integration_logs_day_delete AFTER DELETE ON integration_logs WHEN \(suiteDashCall("OLD")) BEGIN \(apiCall("OLD", -1)) END",
            """
            CREATE TRIGGER integration_logs_day_update AFTER UPDATE OF provider, http_status, created_at ON integration_logs BEGIN
              INSERT INTO daily_count_changes (metric, day, key, change)
              SELECT 'suitedash_calls', \(sqliteDay("OLD.created_at")), 'calls', -1 WHERE \(suiteDashCall("OLD"));
              INSERT INTO daily_count_changes (metric, day, key, change)
              SELECT 'suitedash_calls', \(sqliteDay("NEW.created_at")), 'calls', 1 WHERE \(suiteDashCall("NEW"));
            END
            """,
        ]
    }

    /// A row of `integration_logs` that is a call SuiteDash answered: what its monthly budget counts.
    static func suiteDashCall(_ row: String) -> String { "\(row).provider = 'suitedash' AND \(row).http_status IS NOT NULL" }

    static func apiCall(_ row: String, _ change: Int) -> String {
        "INSERT INTO daily_count_changes (metric, day, key, change) VALUES ('suitedash_calls', \(sqliteDay(row + ".created_at")), 'calls', \(change));"
    }

    // MARK: PostgreSQL (timestamptz)

    static func postgresEnquiryKey(_ row: String) -> String {
        """
        \(row).status || CASE WHEN \(row).status = 'synced' THEN
          CASE WHEN \(row).synced_at <= \(row).created_at + interval '60 seconds' THEN '/minute'
               WHEN \(row).synced_at <= \(row).created_at + interval '1 hour' THEN '/hour' ELSE '/later' END ELSE '' END
        """
    }
    static func postgresDay(_ column: String) -> String { "floor(extract(epoch FROM COALESCE(\(column), to_timestamp(0))) / 86400)::int" }

    static var postgresTriggers: [String] {
        func function(_ name: String, metric: String, day: (String) -> String, key: (String) -> String) -> String {
            """
            CREATE OR REPLACE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') THEN
                INSERT INTO daily_count_changes (metric, day, key, change) VALUES ('\(metric)', \(day("OLD")), \(key("OLD")), -1);
              END IF;
              IF TG_OP IN ('UPDATE', 'INSERT') THEN
                INSERT INTO daily_count_changes (metric, day, key, change) VALUES ('\(metric)', \(day("NEW")), \(key("NEW")), 1);
              END IF;
              RETURN NULL;
            END $$
            """
        }
        return [
            function("leadbridge_day_enquiry", metric: "enquiries", day: { postgresDay($0 + ".created_at") }, key: postgresEnquiryKey),
            function("leadbridge_day_call", metric: "calls", day: { postgresDay("COALESCE(\($0).start_time, \($0).created_at)") },
                     key: { "COALESCE(\($0).direction, 'unknown')" }),
            function("leadbridge_day_text", metric: "texts", day: { postgresDay($0 + ".created_at") }, key: { "\($0).direction" }),
            """
            CREATE OR REPLACE FUNCTION leadbridge_day_suitedash_call() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') AND \(suiteDashCall("OLD")) THEN
                INSERT INTO daily_count_changes (metric, day, key, change) VALUES ('suitedash_calls', \(postgresDay("OLD.created_at")), 'calls', -1);
              END IF;
              IF TG_OP IN ('UPDATE', 'INSERT') AND \(suiteDashCall("NEW")) THEN
                INSERT INTO daily_count_changes (metric, day, key, change) VALUES ('suitedash_calls', \(postgresDay("NEW.created_at")), 'calls', 1);
              END IF;
              RETURN NULL;
            END $$
            """,
            """
            CREATE TRIGGER contact_submissions_day_insert AFTER INSERT ON contact_submissions
            FOR EACH ROW EXECUTE FUNCTION leadbridge_day_enquiry()
            """,
            """
            CREATE TRIGGER contact_submissions_day_delete AFTER DELETE ON contact_submissions
            FOR EACH ROW EXECUTE FUNCTION leadbridge_day_enquiry()
            """,
            """
            CREATE TRIGGER contact_submissions_day_update AFTER UPDATE OF status, created_at, synced_at ON contact_submissions
            FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.created_at IS DISTINCT FROM NEW.created_at
                               OR OLD.synced_at IS DISTINCT FROM NEW.synced_at)
            EXECUTE FUNCTION leadbridge_day_enquiry()
            """,
            "CREATE TRIGGER call_logs_day_insert AFTER INSERT ON call_logs FOR EACH ROW EXECUTE FUNCTION leadbridge_day_call()",
            "CREATE TRIGGER call_logs_day_delete AFTER DELETE ON call_logs FOR EACH ROW EXECUTE FUNCTION leadbridge_day_call()",
            "CREATE TRIGGER sms_messages_day_insert AFTER INSERT ON sms_messages FOR EACH ROW EXECUTE FUNCTION leadbridge_day_text()",
            "CREATE TRIGGER sms_messages_day_delete AFTER DELETE ON sms_messages FOR EACH ROW EXECUTE FUNCTION leadbridge_day_text()",
            """
            CREATE TRIGGER call_logs_day_update AFTER UPDATE OF direction, start_time, created_at ON call_logs
            FOR EACH ROW WHEN (OLD.direction IS DISTINCT FROM NEW.direction OR OLD.start_time IS DISTINCT FROM NEW.start_time
                               OR OLD.created_at IS DISTINCT FROM NEW.created_at)
            EXECUTE FUNCTION leadbridge_day_call()
            """,
            """
            CREATE TRIGGER integration_logs_day_insert AFTER INSERT ON integration_logs
            FOR EACH ROW WHEN (\(suiteDashCall("NEW"))) EXECUTE FUNCTION leadbridge_day_suitedash_call()
            """,
            """
            CREATE TRIGGER integration_logs_day_delete AFTER DELETE ON integration_logs
            FOR EACH ROW WHEN (\(suiteDashCall("OLD"))) EXECUTE FUNCTION leadbridge_day_suitedash_call()
            """,
            """
            CREATE TRIGGER integration_logs_day_update AFTER UPDATE OF provider, http_status, created_at ON integration_logs
            FOR EACH ROW EXECUTE FUNCTION leadbridge_day_suitedash_call()
            """,
        ]
    }

    static func backfill(postgres: Bool) -> [String] {
        let day = postgres ? postgresDay : sqliteDay
        let key = (postgres ? postgresEnquiryKey : sqliteEnquiryKey)("contact_submissions")
        return [
            "INSERT INTO daily_count_changes (metric, day, key, change) SELECT 'enquiries', \(day("created_at")), \(key), count(*) FROM contact_submissions GROUP BY 2, 3",
            "INSERT INTO daily_count_changes (metric, day, key, change) SELECT 'calls', \(day("COALESCE(start_time, created_at)")), COALESCE(direction, 'unknown'), count(*) FROM call_logs GROUP BY 2, 3",
            "INSERT INTO daily_count_changes (metric, day, key, change) SELECT 'texts', \(day("created_at")), direction, count(*) FROM sms_messages GROUP BY 2, 3",
            "INSERT INTO daily_count_changes (metric, day, key, change) SELECT 'suitedash_calls', \(day("created_at")), 'calls', count(*) FROM integration_logs WHERE \(suiteDashCall("integration_logs")) GROUP BY 2, 3",
        ]
    }
}
