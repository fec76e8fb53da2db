import Fluent
import Foundation
import Vapor

/// A browser session, stored in the database so every server process sees it.
final class StoredSession: Model, @unchecked Sendable {
    static let schema = "sessions"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "data") var data: SessionData
    @Field(key: "expires_at") var expiresAt: Date
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(id: String, data: SessionData, expiresAt: Date) {
        self.id = id
        self.data = data
        self.expiresAt = expiresAt
    }
}
