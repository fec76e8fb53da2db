import Fluent
import Foundation
import Vapor

/// A browser session, stored in the database so every server process sees it.
final class StoredSession: Model, @unchecked Sendable {
    static let schema = "sessions"

    /// SHA-256 of the cookie's value, never the value itself.
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "data") var data: SessionData
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "user_id") var userID: Int?
    /// When the session began, on the app's clock: the absolute lifetime counts from here.
    @OptionalField(key: "created_at") var startedAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(id: String, data: SessionData, expiresAt: Date) {
        self.id = id
        self.data = data
        self.expiresAt = expiresAt
    }
}
