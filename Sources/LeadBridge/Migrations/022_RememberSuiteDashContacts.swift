import Fluent
import SQLKit

/// Which SuiteDash contact each email and each phone number belongs to, so a phone-only lead
/// (SuiteDash cannot be searched by phone) is found again instead of created twice; and the
/// enquiries whose email and phone belong to two different contacts, held for an admin to
/// choose, since LeadBridge merges no contacts by itself.
struct RememberSuiteDashContacts: AsyncMigration {
    var name: String { "022_RememberSuiteDashContacts" }

    func prepare(on database: any Database) async throws {
        try await database.transaction { tx in
            try await tx.schema("suitedash_contacts")
                // `email:` plus the address in lower case, or `phone:` plus the E.164 number.
                .field("contact_key", .varchar(330), .identifier(auto: false))
                .field("uid", .varchar(100), .required)
                .field("updated_at", .datetime)
                .create()
            try await tx.schema("suitedash_contact_conflicts")
                .field("contact_submission_id", .int64, .identifier(auto: false))
                .foreignKey("contact_submission_id", references: "contact_submissions", "id", onDelete: .cascade)
                .field("phone_contact_uid", .varchar(100), .required)
                .field("email_contact_uid", .varchar(100), .required)
                // nil until an admin chooses: "email" (the email's contact) or "phone" (the phone's, without the email).
                .field("decision", .varchar(10))
                .timestamps()
                .create()
            // What earlier syncs learnt: each synced enquiry's email and phone lead to its contact
            // (the newest enquiry's contact where two disagree).
            let sql = tx as! any SQLDatabase
            for (prefix, column) in [("email:", "lower(email)"), ("phone:", "phone")] {
                try await sql.raw(SQLQueryString(stringLiteral: """
                    INSERT INTO suitedash_contacts (contact_key, uid)
                    SELECT '\(prefix)' || \(column), external_id FROM contact_submissions WHERE id IN (
                      SELECT MAX(id) FROM contact_submissions
                      WHERE external_id IS NOT NULL AND \(column) IS NOT NULL GROUP BY \(column))
                    """)).run()
            }
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("suitedash_contact_conflicts").delete()
        try await database.schema("suitedash_contacts").delete()
    }
}
