import Fluent
import Foundation
import SQLKit
import Vapor

/// One-time links that let an admin set a password: an invitation (LeadBridge sends no
/// email, so the inviting admin passes the link on) or a reset. The token is shown once, to
/// the admin who made it, and stored only hashed; a new link for a user replaces any unused
/// one; using it ends the user's other sessions. Making one is written to the audit log
/// (`integration_logs`, provider `leadbridge`) with who made it, for whom and until when: a
/// link sets a password, so a stolen admin session making one must leave a trace.
struct PasswordLinks {
    let database: any Database
    let clock: AppClock

    struct Made: Sendable {
        let token: String
        let expiresAt: Date
    }

    enum Failure: Error, CustomStringConvertible {
        case unknown
        case used
        case expired
        case userDisabled

        var description: String {
            switch self {
            case .unknown: return "This link is not one LeadBridge made, or it was replaced by a newer one. Ask an admin for a new link."
            case .used: return "This link has been used already: each link works once. Sign in, or ask an admin for a new link."
            case .expired: return "This link has expired. Ask an admin for a new one."
            case .userDisabled: return "This account is disabled. Ask an admin to enable it first."
            }
        }
    }

    static func hash(_ token: String) -> String { SecureToken.sha256Hex(token) }

    /// A new link for `user`, replacing any unused one.
    func make(for user: User, purpose: UserToken.Purpose, by admin: User?) async throws -> Made {
        let token = SecureToken.make()
        let now = clock.now()
        let row = UserToken()
        row.$user.id = try user.requireID()
        row.purpose = purpose
        row.tokenHash = Self.hash(token)
        row.expiresAt = now.addingTimeInterval(purpose.lifetime)
        row.createdBy = admin?.id
        let audit = try Self.auditLine(for: user, purpose: purpose, by: admin, expiresAt: row.expiresAt)
        // One transaction: no link exists without its audit line.
        try await database.transaction { tx in
            try await UserToken.query(on: tx).filter(\.$user.$id == user.requireID()).filter(\.$usedAt == nil).delete()
            try await row.create(on: tx)
            try await audit.create(on: tx)
        }
        return Made(token: token, expiresAt: row.expiresAt)
    }

    static let auditProvider = "leadbridge"
    static let auditAction = "password_link.created"

    /// Who made a link, for whom, which kind and until when; never the link.
    private static func auditLine(for user: User, purpose: UserToken.Purpose, by admin: User?, expiresAt: Date) throws -> IntegrationLog {
        let line = IntegrationLog()
        line.provider = auditProvider
        line.action = auditAction
        line.requestID = UUID().uuidString.lowercased()
        line.status = "success"
        line.relatedType = "user"
        line.relatedID = try user.requireID()
        line.payload = RedactedJSON(.object([
            "made_by": admin.map { .string($0.email) } ?? .null,
            "made_by_id": admin?.id.map { .number(Double($0)) } ?? .null,
            "for": .string(user.email),
            "for_id": .number(Double(try user.requireID())),
            "kind": .string(purpose == .invitation ? "invitation" : "password reset"),
            "expires_at": .string(ISO8601DateFormatter().string(from: expiresAt)),
        ]))
        line.durationMS = 0
        return line
    }

    /// The link's user, if the link can still be used.
    func find(_ token: String) async throws -> (UserToken, User) {
        guard token.count == 43, let row = try await UserToken.query(on: database).filter(\.$tokenHash == Self.hash(token))
            .with(\.$user).first() else { throw Failure.unknown }
        if row.usedAt != nil { throw Failure.used }
        if row.expiresAt <= clock.now() { throw Failure.expired }
        if row.user.disabledAt != nil { throw Failure.userDisabled }
        return (row, row.user)
    }

    /// Spends the link and sets the password, in one transaction: a link raced twice sets one password.
    func use(_ token: String, passwordHash: String) async throws -> User {
        let (row, _) = try await find(token)
        let now = clock.now()
        return try await database.transaction { tx in
            // Check and spend in one statement: of two uses racing, one gets the row back.
            let spent = try await tx.sql().raw("""
                UPDATE user_tokens SET used_at = \(bind: now) WHERE id = \(bind: try row.requireID()) AND used_at IS NULL RETURNING id
                """).all()
            guard !spent.isEmpty else { throw Failure.used }
            guard let user = try await User.find(row.$user.id, on: tx) else { throw Failure.unknown }
            user.passwordHash = passwordHash
            user.failedLoginAttempts = 0
            // Whoever had the old password may have the browsers too: none of them is known now.
            user.knownDeviceGeneration += 1
            try await user.save(on: tx)
            try await DatabaseSessionDriver.endSessions(of: user.requireID(), on: tx)
            return user
        }
    }
}
