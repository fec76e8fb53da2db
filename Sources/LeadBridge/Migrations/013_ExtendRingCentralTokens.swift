import Fluent

/// What RingCentral's token answer carries beyond the guide's columns: when the refresh
/// token dies (the admin is told before it does) and the endpoint id.
struct ExtendRingCentralTokens: AsyncMigration {
    var name: String { "013_ExtendRingCentralTokens" }

    func prepare(on database: any Database) async throws {
        // One column per ALTER: SQLite adds only one at a time.
        try await database.schema("ringcentral_tokens").field("refresh_token_expires_at", .datetime).update()
        try await database.schema("ringcentral_tokens").field("endpoint_id", .varchar(255)).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("ringcentral_tokens").deleteField("endpoint_id").update()
        try await database.schema("ringcentral_tokens").deleteField("refresh_token_expires_at").update()
    }
}
