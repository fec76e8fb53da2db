import Fluent
import SQLKit

/// Email (#32): every email decided once and kept with its outcome, for the enquiry's timeline,
/// Admin > Email and the dashboard's warning. Erasing an enquiry erases its emails' rows.
struct CreateEmailMessages: AsyncMigration {
    var name: String { "032_CreateEmailMessages" }

    func prepare(on database: any Database) async throws {
        try await database.schema("email_messages")
            .bigIntID()
            // "staff_alert", "staff_summary", "digest", "acknowledgement" or "test".
            .field("kind", .varchar(20), .required)
            // What it answers, so it is decided once: "enquiry:42", "summary:<time>", "digest:2026-12-07".
            .field("subject_key", .varchar(300), .required)
            .field("contact_submission_id", .int64, .references("contact_submissions", "id", onDelete: .cascade))
            .field("to_addresses", .string, .required)
            .field("subject", .string)
            // "queued", "sent", "batched" (in a summary), "dropped" (with a reason) or "failed".
            .field("status", .varchar(20), .required)
            .field("reason", .string)
            .field("queue_id", .varchar(200))
            .field("summary_id", .int64)
            .field("attempts", .int64, .required, .sql(.default(0)))
            .field("sent_at", .datetime)
            .timestamps()
            .unique(on: "kind", "subject_key")
            .create()
        try await database.createIndex("email_messages_kind_status_index", on: "email_messages", columns: ["kind", "status", "sent_at"])
        try await database.createIndex("email_messages_contact_submission_id_index", on: "email_messages", columns: ["contact_submission_id"])
        try await database.createIndex("email_messages_status_created_index", on: "email_messages", columns: ["status", "created_at"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("email_messages").delete()
    }
}
