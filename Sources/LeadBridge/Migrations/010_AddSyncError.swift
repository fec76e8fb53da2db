import Fluent

/// Why an enquiry's CRM sync failed (say, SuiteDash's own validation message), shown to the admin.
struct AddSyncError: AsyncMigration {
    var name: String { "010_AddSyncError" }

    func prepare(on database: any Database) async throws {
        try await database.schema("contact_submissions").field("sync_error", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("contact_submissions").deleteField("sync_error").update()
    }
}
