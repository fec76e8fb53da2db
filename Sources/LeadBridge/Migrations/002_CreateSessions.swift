import Fluent

/// Sessions live in the database so several servers behind one load balancer share them.
struct CreateSessions: AsyncMigration {
    var name: String { "002_CreateSessions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sessions")
            .field("id", .varchar(64), .identifier(auto: false))
            .field("data", .json, .required)
            .field("expires_at", .datetime, .required)
            .timestamps()
            .create()
        try await database.createIndex("sessions_expires_at_index", on: "sessions", columns: ["expires_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("sessions").delete()
    }
}
