import Fluent
import SQLKit

/// What a visitor typed is a claim, not an identity. Where a SuiteDash contact already held a
/// value and an enquiry said another, the difference is kept for an admin to apply or leave
/// (`suitedash_differences`), never written by itself. And the do-not-text list gets a key of its
/// own, kept (sealed) in `integration_settings` so `key rotate` carries it: `list_key` tells the
/// rows hashed under it from older ones, hashed under a key derived from whichever APP_KEY was
/// current then.
struct KeepVisitorClaimsApart: AsyncMigration {
    var name: String { "026_KeepVisitorClaimsApart" }

    func prepare(on database: any Database) async throws {
        try await database.schema("suitedash_differences")
            .field("contact_submission_id", .int64, .required, .references("contact_submissions", "id", onDelete: .cascade))
            // `first_name`, `last_name`, `phone`, `company` or `custom:<key>`.
            .field("field", .varchar(120), .required)
            .field("contact_uid", .varchar(100), .required)
            .field("suitedash_value", .string, .required)
            .field("enquiry_value", .string, .required)
            .field("created_at", .datetime)
            .compositeIdentifier(over: "contact_submission_id", "field")
            .create()
        try await database.schema("do_not_text").field("list_key", .bool, .required, .sql(.default(false))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("do_not_text").deleteField("list_key").update()
        try await database.schema("suitedash_differences").delete()
    }
}
