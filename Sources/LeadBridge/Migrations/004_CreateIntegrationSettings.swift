import Fluent

struct CreateIntegrationSettings: AsyncMigration {
    var name: String { "004_CreateIntegrationSettings" }

    func prepare(on database: any Database) async throws {
        try await database.schema("integration_settings")
            .bigIntID()
            .field("provider", .varchar(255), .required)
            .field("is_enabled", .bool, .required, .sql(.default(false)))
            .field("mode", .varchar(50))
            .field("credentials", .json)
            .field("settings", .json)
            .field("last_tested_at", .datetime)
            .field("last_test_success", .bool)
            .field("last_test_message", .string)
            .timestamps()
            .unique(on: "provider")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("integration_settings").delete()
    }
}
