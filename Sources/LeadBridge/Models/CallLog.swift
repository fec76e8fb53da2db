import Fluent
import Foundation

/// One call from RingCentral's call log (the guide's `call_logs`), upserted by `ringcentral_id`.
final class CallLog: Model, @unchecked Sendable {
    static let schema = "call_logs"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "ringcentral_id") var ringCentralID: String
    @OptionalField(key: "session_id") var sessionID: String?
    @OptionalField(key: "direction") var direction: String?
    @OptionalField(key: "type") var type: String?
    @OptionalField(key: "action") var action: String?
    @OptionalField(key: "result") var result: String?
    @OptionalField(key: "start_time") var startTime: Date?
    @OptionalField(key: "duration") var duration: Int32?
    @OptionalField(key: "from_data") var fromData: [String: String]?
    @OptionalField(key: "to_data") var toData: [String: String]?
    @OptionalField(key: "recording_url") var recordingURL: String?
    /// The lead's number in E.164: the caller on inbound calls, the callee on outbound ones.
    @OptionalField(key: "other_party_phone") var otherPartyPhone: String?
    @OptionalParent(key: "contact_submission_id") var enquiry: Enquiry?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}
