import Fluent
import Foundation

/// Turning an admin account off and on. Disabling ends everything the account holds at once
/// (sessions, unused password links) and never leaves nobody who can sign in.
struct AdminAccounts: Sendable {
    enum Refusal: Error, CustomStringConvertible {
        case ownAccount
        case lastAdmin(email: String)

        var description: String {
            switch self {
            case .ownAccount: "You cannot disable your own account; another admin can."
            case .lastAdmin(let email): "\(email) is the last admin who can sign in."
            }
        }
    }

    let database: any Database

    func disable(_ user: User, by admin: User, now: Date) async throws {
        guard user.id != admin.id else { throw Refusal.ownAccount }
        try await database.writeTransaction { tx in
            // Checked under the lock, so two admins disabling each other at the same moment
            // cannot both succeed.
            try await tx.lockUsersForChange()
            let othersActive = try await User.query(on: tx).filter(\.$disabledAt == nil).filter(\.$passwordHash != "")
                .filter(\.$id != user.requireID()).count()
            guard othersActive > 0 else { throw Refusal.lastAdmin(email: user.email) }
            user.disabledAt = now
            try await user.save(on: tx)
            // At once: their open pages are signed out on the next click, and no link of theirs works.
            try await DatabaseSessionDriver.endSessions(of: user.requireID(), on: tx)
            try await UserToken.query(on: tx).filter(\.$user.$id == user.requireID()).filter(\.$usedAt == nil).delete()
        }
    }

    /// True when the account can sign in at once (it has a password); false when it still needs
    /// an invitation link.
    func enable(_ user: User) async throws -> Bool {
        user.disabledAt = nil
        try await user.save(on: database)
        return !user.passwordHash.isEmpty
    }
}
