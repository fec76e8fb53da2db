import Fluent

struct CreateRingCentralAccounts: AsyncMigration {
    var name: String { "006_CreateRingCentralAccounts" }

    func prepare(on database: any Database) async throws {
        try await database.schema("ringcentral_accounts")
            .bigIntID()
            .field("account_id", .varchar(255), .required)
            .field("name", .varchar(255))
            .field("main_number", .varchar(50))
            .field("status", .varchar(50))
            .field("extensions", .json)
            .timestamps()
            .unique(on: "account_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("ringcentral_accounts").delete()
    }
}
