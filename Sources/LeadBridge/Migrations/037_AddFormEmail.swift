import Fluent

/// Email per form (issue #32): the staff addresses a form's enquiries go to instead of
/// LEAD_ALERT_EMAIL_TO, and whether its leads get the acknowledgement ("on" or "off"; empty:
/// as Admin > Email says, which is off until an admin turns it on).
struct AddFormEmail: AsyncMigration {
    var name: String { "037_AddFormEmail" }

    func prepare(on database: any Database) async throws {
        try await database.schema("forms").field("alert_email_to", .string).update()
        try await database.schema("forms").field("acknowledgement", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("forms").deleteField("acknowledgement").update()
        try await database.schema("forms").deleteField("alert_email_to").update()
    }
}
