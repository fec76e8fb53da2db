import Fluent
import SQLKit

/// Creates the first admin only while there is none, even if two people submit the
/// setup form at the same moment.
enum FirstAdmin {
    /// The new user, or nil when an admin already exists.
    static func create(email: String, name: String?, passwordHash: String, on database: any Database) async throws -> User? {
        try await database.writeTransaction { db in
            if let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" {
                // SQLite: writeTransaction holds the write lock from the start. PostgreSQL needs the table held.
                try await sql.raw("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE").run()
            }
            guard try await User.query(on: db).count() == 0 else { return nil }
            let user = User(email: email, name: name, passwordHash: passwordHash)
            try await user.create(on: db)
            return user
        }
    }
}
