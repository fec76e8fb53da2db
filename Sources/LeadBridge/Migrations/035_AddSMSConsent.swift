import Fluent
import SQLKit

/// A texting consent of its own (issue #33): carrier registration (A2P 10DLC) asks for an
/// optional, unchecked, SMS-specific opt-in, so "you may contact me" no longer lets LeadBridge
/// text a lead unasked. The words, the moment and (as for contact consent) the address and user
/// agent already on the row are what a campaign review or a complaint asks to see.
/// Numbered 035: 028–034 and 038 on are other teams' changes.
struct AddSMSConsent: AsyncMigration {
    var name: String { "035_AddSMSConsent" }

    func prepare(on database: any Database) async throws {
        // One column a statement: SQLite adds one at a time.
        try await database.schema("contact_submissions").field("sms_consent", .bool, .required, .sql(.default(false))).update()
        try await database.schema("contact_submissions").field("sms_consent_at", .datetime).update()
        try await database.schema("contact_submissions").field("sms_consent_text", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("contact_submissions").deleteField("sms_consent_text").update()
        try await database.schema("contact_submissions").deleteField("sms_consent_at").update()
        try await database.schema("contact_submissions").deleteField("sms_consent").update()
    }
}
