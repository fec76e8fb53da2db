import Fluent

/// What click-to-call, SMS and webhooks keep: texts sent and received (`sms_messages`),
/// each webhook notification once (`webhook_events`, unique by RingCentral's uuid), and
/// each admin's own office phone for click-to-call.
struct CreateRingCentralActivity: AsyncMigration {
    var name: String { "014_CreateRingCentralActivity" }

    func prepare(on database: any Database) async throws {
        try await database.schema("sms_messages")
            .bigIntID()
            .field("ringcentral_id", .varchar(255))
            .field("contact_submission_id", .int64, .references("contact_submissions", "id", onDelete: .setNull))
            .enumeration("direction", ["inbound", "outbound"])
            .field("from_number", .varchar(50), .required)
            .field("to_number", .varchar(50), .required)
            .field("text", .string, .required)
            .field("status", .varchar(50), .required)
            .field("error", .string)
            .field("sent_by_user_id", .int64, .references("users", "id", onDelete: .setNull))
            .field("sent_at", .datetime)
            .timestamps()
            .unique(on: "ringcentral_id")
            .create()
        try await database.createIndex("sms_messages_contact_submission_index", on: "sms_messages", columns: ["contact_submission_id"])
        try await database.createIndex("sms_messages_created_at_index", on: "sms_messages", columns: ["created_at"])

        try await database.schema("webhook_events")
            .bigIntID()
            .field("provider", .varchar(50), .required)
            .field("uuid", .varchar(255), .required)
            .field("event", .varchar(500))
            .field("subscription_id", .varchar(255))
            .field("payload", .json)
            .field("received_at", .datetime, .required)
            .field("processed_at", .datetime)
            .field("error", .string)
            .unique(on: "provider", "uuid")
            .create()

        try await database.schema("users").field("office_phone", .varchar(50)).update()
        try await database.createIndex("call_logs_session_index", on: "call_logs", columns: ["session_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.dropIndex("call_logs_session_index")
        try await database.schema("users").deleteField("office_phone").update()
        try await database.schema("webhook_events").delete()
        try await database.schema("sms_messages").delete()
    }
}
