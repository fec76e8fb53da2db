import Fluent
import Foundation

/// One enquiry from the contact form or the JSON intake endpoint.
final class Enquiry: Model, @unchecked Sendable {
    static let schema = "contact_submissions"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "first_name") var firstName: String
    @OptionalField(key: "last_name") var lastName: String?
    @OptionalField(key: "email") var email: String?
    /// Always E.164 (`+` and digits) when present.
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "company") var company: String?
    @OptionalField(key: "service_interest") var serviceInterest: String?
    @OptionalField(key: "message") var message: String?
    @Field(key: "source") var source: String
    @Field(key: "consent") var consent: Bool
    @OptionalField(key: "consent_at") var consentAt: Date?
    @OptionalField(key: "ip") var ip: String?
    @OptionalField(key: "user_agent") var userAgent: String?
    @Field(key: "status") var status: EnquiryStatus
    /// The CRM's id for this person once synced (SuiteDash's contact `uid`).
    @OptionalField(key: "external_id") var externalID: String?
    @OptionalField(key: "synced_at") var syncedAt: Date?
    @OptionalField(key: "exported_at") var exportedAt: Date?
    /// The import-mode CSV export this enquiry went out in.
    @OptionalField(key: "export_id") var exportID: Int?
    /// Why the last CRM sync failed, in the provider's words.
    @OptionalField(key: "sync_error") var syncError: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var fullName: String {
        [firstName, lastName ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
    }
}

enum EnquiryStatus: String, Codable, CaseIterable, Sendable {
    case pending, synced, exported, failed
}
