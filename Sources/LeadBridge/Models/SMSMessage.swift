import Fluent
import Foundation

/// A text sent to or received from a lead through RingCentral (`sms_messages`).
final class SMSMessage: Model, @unchecked Sendable {
    static let schema = "sms_messages"

    enum Direction: String, Codable, Sendable { case inbound, outbound }

    @ID(custom: "id", generatedBy: .database) var id: Int?
    /// RingCentral's message id; nil until RingCentral accepted it.
    @OptionalField(key: "ringcentral_id") var ringCentralID: String?
    @OptionalParent(key: "contact_submission_id") var enquiry: Enquiry?
    @Field(key: "direction") var direction: Direction
    @Field(key: "from_number") var fromNumber: String
    @Field(key: "to_number") var toNumber: String
    @Field(key: "text") var text: String
    /// RingCentral's `messageStatus` (Queued, Sent, Delivered, DeliveryFailed, SendingFailed, Received).
    @Field(key: "status") var status: String
    @OptionalField(key: "error") var error: String?
    @OptionalField(key: "sent_by_user_id") var sentByUserID: Int?
    @OptionalField(key: "sent_at") var sentAt: Date?
    /// nil: a person's text, or one received; else the kind of automatic text it was.
    @OptionalField(key: "kind") var kind: String?
    @OptionalField(key: "automatic_text_id") var automaticTextID: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    var isFinal: Bool { ["Delivered", "DeliveryFailed", "SendingFailed", "Received"].contains(status) }
}
