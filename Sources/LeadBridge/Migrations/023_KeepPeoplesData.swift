import Fluent
import SQLKit

/// A person's data: the consent text each visitor agreed to, kept with their enquiry; and a
/// record of every erasure (who asked, when, how many rows), which holds none of the erased data.
struct KeepPeoplesData: AsyncMigration {
    var name: String { "023_KeepPeoplesData" }

    func prepare(on database: any Database) async throws {
        try await database.schema("contact_submissions").field("consent_text", .string).update()
        try await database.schema("erasures")
            .bigIntID()
            // "person" (an admin's erasure of one person) or "retention" (the scheduled sweep).
            .field("kind", .varchar(20), .required)
            .field("requested_by", .varchar(320), .required)
            // How the person was found ("email", "phone", "email and phone"), or the retention rule.
            .field("matched_by", .varchar(100), .required)
            .field("enquiries", .int64, .required)
            .field("calls", .int64, .required)
            .field("texts", .int64, .required)
            .field("log_rows", .int64, .required)
            .field("exports", .int64, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.createIndex("erasures_kind_created_at_index", on: "erasures", columns: ["kind", "created_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("erasures").delete()
        try await database.schema("contact_submissions").deleteField("consent_text").update()
    }
}
