import Fluent

struct CreateUsers: AsyncMigration {
    var name: String { "001_CreateUsers" }

    func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .bigIntID()
            .field("email", .varchar(255), .required)
            .field("name", .varchar(255))
            .field("password_hash", .varchar(255), .required)
            .field("failed_login_attempts", .int32, .required, .sql(.default(0)))
            .field("locked_until", .datetime)
            .field("last_login_at", .datetime)
            .timestamps()
            .unique(on: "email")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").delete()
    }
}
