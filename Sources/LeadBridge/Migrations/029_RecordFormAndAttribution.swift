import Fluent
import SQLKit

/// Which form each enquiry came from, its extra fields, and where the lead came from: the UTM
/// tags, the ad click ids, the referrer and landing page (first touch), the last touch as JSON,
/// and `channel`, the one word the list, its filter and the dashboard group by.
struct RecordFormAndAttribution: AsyncMigration {
    var name: String { "029_RecordFormAndAttribution" }

    func prepare(on database: any Database) async throws {
        // SQLite adds one column per ALTER TABLE.
        let columns: [(String, DatabaseSchema.DataType)] = [
            ("form_id", .int64),
            ("extra_fields", .string),
            ("last_touch", .string),
            ("channel", .varchar(Attribution.maxChannelLength)),
        ] + Attribution.Key.allCases.map { ($0.rawValue, .varchar($0.maxLength)) }
        for (name, type) in columns {
            try await database.schema(Enquiry.schema).field(.init(stringLiteral: name), type).update()
        }
        try await database.createIndex("contact_submissions_channel_index", on: Enquiry.schema, columns: ["channel", "id"])
        try await database.createIndex("contact_submissions_form_index", on: Enquiry.schema, columns: ["form_id", "id"])
        // Every enquiry so far came through the contact page.
        try await database.sql().raw("""
            UPDATE contact_submissions SET form_id = (SELECT id FROM forms WHERE slug = 'contact')
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.dropIndex("contact_submissions_channel_index")
        try await database.dropIndex("contact_submissions_form_index")
        for name in ["form_id", "extra_fields", "last_touch", "channel"] + Attribution.Key.allCases.map(\.rawValue) {
            try await database.schema(Enquiry.schema).deleteField(.init(stringLiteral: name)).update()
        }
    }
}
