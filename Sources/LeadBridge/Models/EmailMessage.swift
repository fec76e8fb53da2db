import Fluent
import Foundation

/// One email LeadBridge decided to send (`email_messages`, unique by kind and subject), kept
/// with what became of it: queued, sent with the server's queue id, in a summary, dropped or
/// failed with the reason in words. Never the body: it is made again from the enquiry when sent.
final class EmailMessage: Model, @unchecked Sendable {
    static let schema = "email_messages"

    enum Kind: String, Codable, Sendable, CaseIterable {
        /// To staff: a new enquiry.
        case staffAlert = "staff_alert"
        /// To staff: the enquiries that came within a minute of the last alert.
        case staffSummary = "staff_summary"
        /// To staff: the day's enquiries in one email.
        case digest
        /// To the lead: "we received your enquiry".
        case acknowledgement
        /// Admin > Email's Send test email.
        case test

        var label: String {
            switch self {
            case .staffAlert: return "Staff email"
            case .staffSummary: return "Staff email (summary)"
            case .digest: return "Daily digest"
            case .acknowledgement: return "Acknowledgement email"
            case .test: return "Test email"
            }
        }
    }

    enum Status: String, Codable, Sendable {
        case queued, sent, batched, dropped, failed
    }

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "kind") var kind: Kind
    @Field(key: "subject_key") var subjectKey: String
    @OptionalParent(key: "contact_submission_id") var enquiry: Enquiry?
    /// Comma-separated addresses: staff, or the lead for an acknowledgement.
    @Field(key: "to_addresses") var toAddresses: String
    @OptionalField(key: "subject") var subject: String?
    @Field(key: "status") var status: Status
    @OptionalField(key: "reason") var reason: String?
    /// The server's id for it, from DATA's 250 reply.
    @OptionalField(key: "queue_id") var queueID: String?
    @OptionalField(key: "summary_id") var summaryID: Int?
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "sent_at") var sentAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var recipients: [String] { toAddresses.split(separator: ",").map(String.init) }
}
