import Fluent
import Foundation
import SQLKit

/// The lead's number on each call (`other_party_phone`, E.164: the caller on inbound calls, the
/// callee on outbound ones), indexed, so an enquiry that arrives after its calls were synced can
/// claim them; inbound texts are found by `from_number`, indexed for the same reason.
struct AddCallLogOtherParty: AsyncMigration {
    var name: String { "015_AddCallLogOtherParty" }

    func prepare(on database: any Database) async throws {
        try await database.schema("call_logs").field("other_party_phone", .varchar(50)).update()
        try await backfill(database)
        try await database.createIndex("call_logs_other_party_phone_index", on: "call_logs", columns: ["other_party_phone"])
        try await database.createIndex("sms_messages_from_number_index", on: "sms_messages", columns: ["from_number"])
    }

    func revert(on database: any Database) async throws {
        try await database.dropIndex("sms_messages_from_number_index")
        try await database.dropIndex("call_logs_other_party_phone_index")
        try await database.schema("call_logs").deleteField("other_party_phone").update()
    }

    /// Calls synced before this migration, in two statements (a row-by-row pass held up the
    /// server's start for minutes): the lead's number from the JSON,
    /// stripped of the formatting `PhoneNumber.e164` ignores, then anything that is still not
    /// E.164 ("+", then 7 to 15 digits, the first not 0) is cleared.
    private func backfill(_ database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let postgres = (sql.sqlDialect == .postgres)
        let from: SQLQueryString = postgres ? "from_data->>'phoneNumber'" : "json_extract(from_data, '$.phoneNumber')"
        let to: SQLQueryString = postgres ? "to_data->>'phoneNumber'" : "json_extract(to_data, '$.phoneNumber')"
        try await sql.raw("""
            UPDATE call_logs SET other_party_phone = substr(
                replace(replace(replace(replace(replace(
                    CASE WHEN direction = 'inbound' THEN \(from) ELSE \(to) END,
                ' ', ''), '.', ''), '-', ''), '(', ''), ')', ''), 1, 50)
            """).run()
        let notE164: SQLQueryString = postgres
            ? "other_party_phone !~ '^[+][1-9][0-9]{6,14}$'"
            : "NOT (other_party_phone GLOB '+[1-9]*' AND NOT substr(other_party_phone, 2) GLOB '*[^0-9]*' AND length(other_party_phone) BETWEEN 8 AND 16)"
        try await sql.raw("UPDATE call_logs SET other_party_phone = NULL WHERE other_party_phone IS NOT NULL AND \(notE164)").run()
    }
}
