import Fluent
import Foundation

/// One automatic text, decided once (`automatic_texts`, unique by kind and subject) and kept
/// with what became of it: sent, summarised, or dropped with the reason in words.
final class AutomaticText: Model, @unchecked Sendable {
    static let schema = "automatic_texts"

    enum Kind: String, Codable, Sendable, CaseIterable {
        /// To staff: a new enquiry.
        case alert
        /// To staff: the enquiries that came within a minute of the last alert.
        case alertSummary = "alert_summary"
        /// To the lead: the instant reply.
        case autoReply = "auto_reply"
        /// To a caller whose call was missed.
        case missedCall = "missed_call"
        /// To a number that texted HELP or INFO (the help reply) or START (the welcome back):
        /// asked for, so answered at any hour, once per keyword text.
        case keywordReply = "keyword_reply"

        var isToLead: Bool { self != .alert && self != .alertSummary }
        /// Sent unasked, so never before 8:00 or after 21:00 where the lead is.
        var keepsQuietHours: Bool { self == .autoReply || self == .missedCall }

        /// As the timeline and the admin name it.
        var label: String {
            switch self {
            case .alert: return "Staff alert"
            case .alertSummary: return "Staff alert (summary)"
            case .autoReply: return "Instant reply"
            case .missedCall: return "Missed-call text"
            case .keywordReply: return "Keyword reply"
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
    @Field(key: "to_numbers") var toNumbers: String
    @Field(key: "status") var status: Status
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "summary_id") var summaryID: Int?
    @OptionalField(key: "sent_at") var sentAt: Date?
    /// When what it answers happened (the enquiry's commit, the missed call): freshness counts from here.
    @Field(key: "created_at") var createdAt: Date
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var recipients: [String] { toNumbers.split(separator: ",").map(String.init) }
}
