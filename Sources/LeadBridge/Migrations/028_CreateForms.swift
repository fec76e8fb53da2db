import Fluent
import Foundation
import SQLKit

/// Forms: each website form that posts to LeadBridge (`/f/{slug}`), with the websites allowed
/// to post and embed it, its thank-you page, up to 20 extra fields and what SuiteDash gets of
/// them. The contact page LeadBridge always had is the form `contact`, made here, so every
/// install starts with it and its settings and environment variables keep working.
struct CreateForms: AsyncMigration {
    var name: String { "028_CreateForms" }

    func prepare(on database: any Database) async throws {
        try await database.schema(WebForm.schema)
            .bigIntID()
            .field("slug", .varchar(WebForm.maxSlugLength), .required)
            .field("name", .varchar(120), .required)
            // One origin per line (`https://www.example.com`).
            .field("origins", .string, .required, .sql(.default("")))
            .field("thank_you_url", .varchar(500))
            // JSON: the extra fields, in the order they are shown.
            .field("fields", .string, .required, .sql(.default("[]")))
            // Comma-separated SuiteDash tags added to every lead from this form.
            .field("tags", .string, .required, .sql(.default("")))
            // JSON: extra field name → SuiteDash custom field key.
            .field("field_map", .string, .required, .sql(.default("{}")))
            .field("speed_to_lead", .bool, .required, .sql(.default(true)))
            .timestamps()
            .unique(on: "slug")
            .create()
        let now = Date()
        try await database.sql().raw("""
            INSERT INTO forms (slug, name, origins, fields, tags, field_map, speed_to_lead, created_at, updated_at)
            VALUES ('contact', 'Contact page', '', '[]', '', '{}', \(bind: true), \(bind: now), \(bind: now))
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WebForm.schema).delete()
    }
}
