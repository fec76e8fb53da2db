import Fluent
import SQLKit

/// Creates the first admin only while there is none, even if two people submit the
/// setup form at the same moment.
enum FirstAdmin {
    /// The new user, or nil when an admin already exists.
    static func create(email: String, name: String?, passwordHash: String, on database: any Database) async throws -> User? {
        try await database.writeTransaction { db in
            try await db.lockUsersForChange()
            guard try await User.query(on: db).count() == 0 else { return nil }
            let user = User(email: email, name: name, passwordHash: passwordHash)
            try await user.create(on: db)
            return user
        }
    }
}
