import Fluent

/// Import mode's CSV exports, and which export each enquiry went out in.
struct CreateSuiteDashExports: AsyncMigration {
    var name: String { "012_CreateSuiteDashExports" }

    func prepare(on database: any Database) async throws {
        try await database.schema("suitedash_exports")
            .bigIntID()
            .field("file_name", .varchar(255), .required)
            .field("rows", .int64, .required, .sql(.default(0)))
            .field("bytes", .int64, .required, .sql(.default(0)))
            .field("sha256", .varchar(64))
            .field("filter", .string)
            .field("created_by", .varchar(255))
            .enumeration("status", ["writing", "ready", "failed"])
            .timestamps()
            .create()
        try await database.schema("contact_submissions")
            .field("export_id", .int64)
            .update()
        try await database.createIndex("contact_submissions_export_id_index", on: "contact_submissions", columns: ["export_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.dropIndex("contact_submissions_export_id_index")
        try await database.schema("contact_submissions").deleteField("export_id").update()
        try await database.schema("suitedash_exports").delete()
    }
}
