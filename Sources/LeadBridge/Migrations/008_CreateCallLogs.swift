import Fluent

struct CreateCallLogs: AsyncMigration {
    var name: String { "008_CreateCallLogs" }

    func prepare(on database: any Database) async throws {
        try await database.schema("call_logs")
            .bigIntID()
            .field("ringcentral_id", .varchar(255), .required)
            .field("session_id", .varchar(255))
            .enumeration("direction", ["inbound", "outbound"], required: false)
            .enumeration("type", ["voice", "fax", "sms"], required: false)
            .field("action", .varchar(255))
            .field("result", .varchar(255))
            .field("start_time", .datetime)
            .field("duration", .int32)
            .field("from_data", .json)
            .field("to_data", .json)
            .field("recording_url", .varchar(500))
            .field("contact_submission_id", .int64,
                   .references("contact_submissions", "id", onDelete: .setNull))
            .field("metadata", .json)
            .timestamps()
            .unique(on: "ringcentral_id")
            .create()
        try await database.createIndex("call_logs_start_time_index", on: "call_logs", columns: ["start_time"])
        try await database.createIndex("call_logs_contact_submission_index",
                                       on: "call_logs", columns: ["contact_submission_id"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("call_logs").delete()
    }
}
