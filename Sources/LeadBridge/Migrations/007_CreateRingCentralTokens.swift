import Fluent

/// `access_token` and `refresh_token` hold values sealed by `SecretBox`, never clear text.
struct CreateRingCentralTokens: AsyncMigration {
    var name: String { "007_CreateRingCentralTokens" }

    func prepare(on database: any Database) async throws {
        try await database.schema("ringcentral_tokens")
            .bigIntID()
            .field("ringcentral_account_id", .int64,
                   .references("ringcentral_accounts", "id", onDelete: .cascade))
            .field("access_token", .string)
            .field("refresh_token", .string)
            .field("token_type", .varchar(50))
            .field("expires_in", .int32)
            .field("expires_at", .datetime)
            .field("scope", .varchar(255))
            .field("owner_id", .varchar(255))
            .timestamps()
            .create()
        try await database.createIndex("ringcentral_tokens_account_index",
                                       on: "ringcentral_tokens", columns: ["ringcentral_account_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("ringcentral_tokens").delete()
    }
}
