import Fluent
import Foundation

/// The connected RingCentral account (the guide's `ringcentral_accounts`). `extensions`
/// holds the authorised extension and its phone numbers with their features.
final class RingCentralAccountRecord: Model, @unchecked Sendable {
    static let schema = "ringcentral_accounts"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "account_id") var accountID: String
    @OptionalField(key: "name") var name: String?
    @OptionalField(key: "main_number") var mainNumber: String?
    @OptionalField(key: "status") var status: String?
    @OptionalField(key: "extensions") var extensions: RingCentralExtensionList?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    /// The authorised extension (the token's owner).
    var primaryExtension: RingCentralExtensionSnapshot? { extensions?.list.first }
}

/// The `extensions` JSON: `{"items": [...]}`. An object rather than a bare array because
/// PostgreSQL's driver binds a top-level array as `jsonb[]`, not as one `jsonb` value.
struct RingCentralExtensionList: Codable, Sendable, Equatable {
    var items: [RingCentralExtensionSnapshot]
    init(_ items: [RingCentralExtensionSnapshot]) { self.items = items }
    var list: [RingCentralExtensionSnapshot] { items }
}
/// An extension as LeadBridge keeps it, with the numbers it may call and text from.
struct RingCentralExtensionSnapshot: Codable, Sendable, Equatable {
    struct Number: Codable, Sendable, Equatable {
        var phoneNumber: String
        var usageType: String?
        var features: [String]
        var canSendSMS: Bool { features.contains("SmsSender") }
        var canBeCallerID: Bool { features.contains("CallerId") }
    }
    var id: String
    var extensionNumber: String?
    var name: String?
    var email: String?
    var phoneNumbers: [Number]
}
