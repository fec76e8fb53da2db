import Fluent
import SQLKit
import Testing
import Vapor
@testable import LeadBridge

@Suite("Migrations")
struct MigrationTests {
    /// The guide's tables with its column names, and the project's own.
    static let expectedColumns: [String: Set<String>] = [
        "integration_settings": ["id", "provider", "is_enabled", "mode", "credentials", "settings", "last_tested_at",
                                 "last_test_success", "last_test_message", "created_at", "updated_at"],
        "integration_logs": ["id", "provider", "action", "request_id", "status", "related_type", "related_id", "payload",
                             "response", "error_message", "http_status", "duration_ms", "created_at", "updated_at"],
        "ringcentral_accounts": ["id", "account_id", "name", "main_number", "status", "extensions", "created_at", "updated_at"],
        "ringcentral_tokens": ["id", "ringcentral_account_id", "access_token", "refresh_token", "token_type", "expires_in",
                               "expires_at", "scope", "owner_id", "created_at", "updated_at",
                               "refresh_token_expires_at", "endpoint_id"],
        "call_logs": ["id", "ringcentral_id", "session_id", "direction", "type", "action", "result", "start_time", "duration",
                      "from_data", "to_data", "recording_url", "contact_submission_id", "metadata", "created_at", "updated_at",
                      "other_party_phone"],
        "contact_submissions": ["id", "first_name", "last_name", "email", "phone", "company", "service_interest", "message",
                                "source", "consent", "consent_at", "ip", "user_agent", "status", "external_id", "synced_at",
                                "exported_at", "sync_error", "export_id", "created_at", "updated_at", "consent_text",
                                "first_contact_at", "first_contact_seconds", "sms_consent", "sms_consent_at", "sms_consent_text",
                                // 029: the form, its extra fields, and where the lead came from (#30)
                                "form_id", "extra_fields", "last_touch", "channel", "utm_source", "utm_medium",
                                "utm_campaign", "utm_term", "utm_content", "gclid", "fbclid", "msclkid", "referrer", "landing_page",
                                // 031: why it was judged spam (#31)
                                "spam_reason",
                                // 038: the sender's network (the per-address allowance) and an untrusted proxy
                                "ip_network", "forwarded_by"],
        "spam_rules": ["id", "kind", "value", "created_by", "created_at"],
        "forms": ["id", "slug", "name", "origins", "thank_you_url", "fields", "tags", "field_map", "speed_to_lead",
                  "created_at", "updated_at", "captcha_provider", "captcha_site_key", "captcha_secret",
                  "alert_email_to", "acknowledgement"],
        "users": ["id", "email", "name", "password_hash", "failed_login_attempts", "locked_until", "last_login_at",
                  "created_at", "updated_at", "office_phone", "disabled_at", "known_device_generation"],
        "sms_messages": ["id", "ringcentral_id", "contact_submission_id", "direction", "from_number", "to_number", "text",
                         "status", "error", "sent_by_user_id", "sent_at", "created_at", "updated_at", "kind", "automatic_text_id"],
        "webhook_events": ["id", "provider", "uuid", "event", "subscription_id", "payload", "received_at", "processed_at", "error"],
        "sessions": ["id", "data", "expires_at", "created_at", "updated_at", "user_id"],
        "rate_counters": ["key", "attempts", "window_started"],
        "setup_codes": ["id", "code_hash"],
        "user_tokens": ["id", "user_id", "purpose", "token_hash", "expires_at", "used_at", "created_by", "created_at"],
    ]

    static func columns(of table: String, _ db: any Database) async throws -> Set<String> {
        let sql = db as! any SQLDatabase
        let query: SQLQueryString = sql.dialect.name == "postgresql"
            ? "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = \(bind: table)"
            : "SELECT name FROM pragma_table_info(\(bind: table))"
        return Set(try await sql.raw(query).all().map { try $0.decode(column: "name", as: String.self) })
    }

    @Test func everyTableHasTheGuidesColumns() async throws {
        try await withApp { app in
            for (table, expected) in Self.expectedColumns {
                let actual = try await Self.columns(of: table, app.db)
                #expect(actual == expected, "\(table)")
            }
        }
    }

    @Test func enumColumnsRefuseValuesOutsideTheirList() async throws {
        try await withApp { app in
            let sql = app.db as! any SQLDatabase
            try await sql.raw("INSERT INTO integration_logs (provider, action, status) VALUES ('suitedash', 'test', 'success')").run()
            await expectRefusal(by: .check) {
                try await sql.raw("INSERT INTO integration_logs (provider, action, status) VALUES ('suitedash', 'test', 'bogus')").run()
            }
            // The same row with a status from the list is stored: only the status was wrong.
            await expectRefusal(by: .check) {
                try await sql.raw("INSERT INTO contact_submissions (first_name, source, consent, status) VALUES ('A', 'web', true, 'lost')").run()
            }
            try await sql.raw("INSERT INTO contact_submissions (first_name, source, consent, status) VALUES ('A', 'web', true, 'pending')").run()
        }
    }

    @Test func providerAndRingCentralIdsAreUnique() async throws {
        try await withApp { app in
            let sql = app.db as! any SQLDatabase
            try await sql.raw("INSERT INTO integration_settings (provider, is_enabled) VALUES ('suitedash', false)").run()
            await expectRefusal(by: .unique) {
                try await sql.raw("INSERT INTO integration_settings (provider, is_enabled) VALUES ('suitedash', true)").run()
            }
        }
    }

    @Test func migrationsRevertAndApplyAgain() async throws {
        try await withApp { app in
            try await app.autoRevert()
            #expect(try await Self.columns(of: "contact_submissions", app.db).isEmpty)
            try await app.autoMigrate()
            #expect(try await Self.columns(of: "contact_submissions", app.db) == Self.expectedColumns["contact_submissions"])
        }
    }

    /// Calls synced before 015 get their lead's number from the call's from/to data.
    @Test func theOtherPartyIsFilledInForCallsSyncedBefore() async throws {
        try await withApp { app in
            let callers = ["+1 (415) 555-0100", "+1 (415) 555-0100", "not a number", "101", "+0123456789"]
            for (index, caller) in callers.enumerated() {
                let call = CallLog()
                call.ringCentralID = "call-\(index)"
                call.direction = index == 1 ? "outbound" : "inbound"
                call.fromData = ["phoneNumber": caller]
                call.toData = ["phoneNumber": "+16505550101"]
                try await call.save(on: app.db)
            }
            let migration = AddCallLogOtherParty()
            // One connection: another SQLite connection may not have seen the column go yet.
            try await app.db.withConnection { db in
                try await migration.revert(on: db)
                try await migration.prepare(on: db)
            }
            let phones = try await CallLog.query(on: app.db).sort(\.$id).all().map(\.otherPartyPhone)
            #expect(phones == ["+14155550100", "+16505550101", nil, nil, nil])
        }
    }
}
