import Fluent
import Foundation

/// A one-time link for an admin: an invitation to set a first password, or a password reset.
/// Only the SHA-256 of the link's token is stored: a copy of the database opens no account.
final class UserToken: Model, @unchecked Sendable {
    static let schema = "user_tokens"

    enum Purpose: String, Codable, Sendable {
        case invitation
        case passwordReset = "password_reset"

        /// How long a link stays good.
        var lifetime: TimeInterval {
            switch self {
            case .invitation: return 7 * 24 * 3600
            case .passwordReset: return 24 * 3600
            }
        }
    }

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Parent(key: "user_id") var user: User
    @Field(key: "purpose") var purpose: Purpose
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    /// The admin who made the link.
    @OptionalField(key: "created_by") var createdBy: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
