import Fluent
import Foundation

/// The guide's `ringcentral_tokens`: `access_token` and `refresh_token` are sealed by
/// `SecretBox` (never clear text); one row for the connected account.
final class RingCentralTokenRecord: Model, @unchecked Sendable {
    static let schema = "ringcentral_tokens"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @OptionalParent(key: "ringcentral_account_id") var account: RingCentralAccountRecord?
    @OptionalField(key: "access_token") var sealedAccessToken: String?
    @OptionalField(key: "refresh_token") var sealedRefreshToken: String?
    @OptionalField(key: "token_type") var tokenType: String?
    @OptionalField(key: "expires_in") var expiresIn: Int32?
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @OptionalField(key: "refresh_token_expires_at") var refreshTokenExpiresAt: Date?
    @OptionalField(key: "scope") var scope: String?
    @OptionalField(key: "owner_id") var ownerID: String?
    @OptionalField(key: "endpoint_id") var endpointID: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

extension RingCentralTokenRecord {
    /// Whether RingCentral is connected at all (tokens are stored), whatever their state.
    static func isConnected(on db: any Database) async throws -> Bool {
        try await query(on: db).count() > 0
    }
}
