import Fluent
import Foundation

/// One call to a provider (the guide's `integration_logs`), with secrets redacted.
final class IntegrationLog: Model, @unchecked Sendable {
    static let schema = "integration_logs"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "provider") var provider: String
    @Field(key: "action") var action: String
    @OptionalField(key: "request_id") var requestID: String?
    @Field(key: "status") var status: String
    @OptionalField(key: "related_type") var relatedType: String?
    /// `related_type` of a provider request made for an enquiry. The stored word is the table's
    /// name (`contact_submissions`, the guide's), kept so older rows still match.
    static let aboutEnquiry = "contact_submission"
    @OptionalField(key: "related_id") var relatedID: Int?
    @OptionalField(key: "payload") var payload: RedactedJSON?
    @OptionalField(key: "response") var response: RedactedJSON?
    @OptionalField(key: "error_message") var errorMessage: String?
    @OptionalField(key: "http_status") var httpStatus: Int?
    @OptionalField(key: "duration_ms") var durationMS: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}
