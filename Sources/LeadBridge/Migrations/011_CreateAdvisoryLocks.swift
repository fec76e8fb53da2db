import Fluent

/// Named locks with an expiry, shared by every process on the database (SQLite or PostgreSQL).
struct CreateAdvisoryLocks: AsyncMigration {
    var name: String { "011_CreateAdvisoryLocks" }

    func prepare(on database: any Database) async throws {
        try await database.schema("advisory_locks")
            .field("name", .varchar(255), .identifier(auto: false))
            .field("holder", .varchar(100), .required)
            .field("expires_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("advisory_locks").delete()
    }
}
