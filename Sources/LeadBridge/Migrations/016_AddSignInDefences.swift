import Fluent
import SQLKit

/// What sign-in, sessions and users need to hold under attack: sign-in counters every server
/// shares and increments atomically (`login_attempts`); each admin's last good sign-in
/// address (hashed: an attack from elsewhere does not slow it) and whether they are disabled;
/// each session's user (so "sign out everywhere" and disabling end them at once); and one-time
/// links for inviting an admin or resetting a password (`user_tokens`, stored hashed).
struct AddSignInDefences: AsyncMigration {
    var name: String { "016_AddSignInDefences" }

    func prepare(on database: any Database) async throws {
        try await database.schema("login_attempts")
            .field("key", .varchar(100), .identifier(auto: false))
            .field("attempts", .int, .required)
            .field("window_started", .double, .required)
            .create()
        // One column per ALTER: SQLite adds only one at a time.
        try await database.schema("users").field("last_login_ip_hash", .varchar(64)).update()
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
    }

    func revert(on database: any Database) async throws {
        try await database.schema("user_tokens").delete()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP INDEX sessions_user_id").run()
        }
        try await database.schema("sessions").deleteField("user_id").update()
        try await database.schema("users").deleteField("disabled_at").update()
        try await database.schema("users").deleteField("last_login_ip_hash").update()
        try await database.schema("login_attempts").delete()
    }
}
