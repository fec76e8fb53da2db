import Fluent
import Foundation

/// One provider's saved configuration (the guide's `integration_settings`).
final class IntegrationSetting: Model, @unchecked Sendable {
    static let schema = "integration_settings"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "provider") var provider: String
    @Field(key: "is_enabled") var isEnabled: Bool
    @OptionalField(key: "mode") var mode: String?
    /// Each value sealed by `SecretBox`; never clear text.
    @OptionalField(key: "credentials") var credentials: [String: String]?
    @OptionalField(key: "settings") var settings: [String: String]?
    @OptionalField(key: "last_tested_at") var lastTestedAt: Date?
    @OptionalField(key: "last_test_success") var lastTestSuccess: Bool?
    @OptionalField(key: "last_test_message") var lastTestMessage: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(provider: String) {
        self.provider = provider
        self.isEnabled = false
    }
}
