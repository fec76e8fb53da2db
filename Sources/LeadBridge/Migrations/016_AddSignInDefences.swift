import Fluent
import SQLKit

/// What sign-in, sessions and users need to hold under attack: sign-in counters every server
/// shares and increments atomically (`rate_counters`); whether each admin is disabled;
/// each session's user (so "sign out everywhere" and disabling end them at once); and one-time
/// links for inviting an admin or resetting a password (`user_tokens`, stored hashed); and the
/// install's first-run setup code (`setup_codes`, hashed).
struct AddSignInDefences: AsyncMigration {
    var name: String { "016_AddSignInDefences" }

    func prepare(on database: any Database) async throws {
        try await database.schema("rate_counters")
            .field("key", .varchar(100), .identifier(auto: false))
            .field("attempts", .int, .required)
            .field("window_started", .double, .required)
            .create()
        // One column per ALTER: SQLite adds only one at a time.
        try await database.schema("users").field("disabled_at", .datetime).update()
        try await database.schema("sessions").field("user_id", .int).update()
        // Session ids are stored hashed from now on: a row keyed by a raw id can never match
        // again, so everyone signs in once more after this upgrade.
        try await StoredSession.query(on: database).delete()
        try await database.schema("user_tokens")
            .field("id", .int, .identifier(auto: true))
            .field("user_id", .int, .required, .references("users", "id", onDelete: .cascade))
            .field("purpose", .varchar(20), .required)
            .field("token_hash", .varchar(64), .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("created_by", .int)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX sessions_user_id ON sessions (user_id)").run()
        }
        // At most one row: the install's first-run code, hashed.
        try await database.schema("setup_codes")
            .field("id", .int, .identifier(auto: false))
            .field("code_hash", .varchar(64), .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("setup_codes").delete()
        try await database.schema("user_tokens").delete()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP INDEX sessions_user_id").run()
        }
        try await database.schema("sessions").deleteField("user_id").update()
        try await database.schema("users").deleteField("disabled_at").update()
        try await database.schema("rate_counters").delete()
    }
}
