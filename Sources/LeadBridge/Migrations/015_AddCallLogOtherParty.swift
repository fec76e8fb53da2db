import Fluent
import Foundation

/// The lead's number on each call (`other_party_phone`, E.164: the caller on inbound calls, the
/// callee on outbound ones), indexed, so an enquiry that arrives after its calls were synced can
/// claim them; inbound texts are found by `from_number`, indexed for the same reason.
struct AddCallLogOtherParty: AsyncMigration {
    var name: String { "015_AddCallLogOtherParty" }

    func prepare(on database: any Database) async throws {
        try await database.schema("call_logs").field("other_party_phone", .varchar(50)).update()
        try await database.createIndex("call_logs_other_party_phone_index", on: "call_logs", columns: ["other_party_phone"])
        try await database.createIndex("sms_messages_from_number_index", on: "sms_messages", columns: ["from_number"])
        try await backfill(database)
    }

    func revert(on database: any Database) async throws {
        try await database.dropIndex("sms_messages_from_number_index")
        try await database.dropIndex("call_logs_other_party_phone_index")
        try await database.schema("call_logs").deleteField("other_party_phone").update()
    }

    /// Calls synced before this migration, a thousand at a time.
    private func backfill(_ database: any Database) async throws {
        var after = 0
        while true {
            let calls = try await CallLog.query(on: database).filter(\.$id > after).sort(\.$id).limit(1000).all()
            guard let last = calls.last?.id else { return }
            try await database.transaction { tx in
                for call in calls {
                    let party = call.direction == "inbound" ? call.fromData : call.toData
                    guard let phone = party?["phoneNumber"].flatMap(PhoneNumber.e164) else { continue }
                    call.otherPartyPhone = phone
                    try await call.save(on: tx)
                }
            }
            after = last
        }
    }
}
