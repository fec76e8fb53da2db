import Fluent
import SQLKit

/// Speed to lead: every automatic text (a staff alert, an instant reply, a missed-call text-back)
/// decided once and kept with its outcome; the numbers that texted STOP, as hashes; and each
/// enquiry's time to first contact, indexed for sorting.
struct AddSpeedToLead: AsyncMigration {
    var name: String { "024_SpeedToLead" }

    func prepare(on database: any Database) async throws {
        try await database.schema("automatic_texts")
            .bigIntID()
            // "alert", "alert_summary", "auto_reply" or "missed_call".
            .field("kind", .varchar(20), .required)
            // What it answers, so it is decided once: "enquiry:42", "session:s-a0d7…", "summary:<time>".
            .field("subject_key", .varchar(300), .required)
            .field("contact_submission_id", .int64, .references("contact_submissions", "id", onDelete: .setNull))
            // The recipients, E.164, comma-separated (staff for alerts, the lead otherwise).
            .field("to_numbers", .string, .required)
            // "queued", "sent", "batched" (in a summary), "dropped" (with a reason) or "failed".
            .field("status", .varchar(20), .required)
            .field("reason", .string)
            .field("summary_id", .int64)
            .field("sent_at", .datetime)
            .timestamps()
            .unique(on: "kind", "subject_key")
            .create()
        try await database.createIndex("automatic_texts_kind_status_index", on: "automatic_texts", columns: ["kind", "status", "sent_at"])
        try await database.createIndex("automatic_texts_contact_submission_id_index", on: "automatic_texts", columns: ["contact_submission_id"])
        try await database.createIndex("automatic_texts_created_at_index", on: "automatic_texts", columns: ["created_at"])

        // One column a statement: SQLite adds one at a time.
        // nil: a person's text (or one received); else the automatic text's kind.
        try await database.schema("sms_messages").field("kind", .varchar(20)).update()
        try await database.schema("sms_messages").field("automatic_text_id", .int64).update()
        try await database.createIndex("sms_messages_automatic_text_id_index", on: "sms_messages", columns: ["automatic_text_id"])

        try await database.schema("do_not_text")
            // HMAC-SHA256 of the E.164 number under a key derived from APP_KEY: kept after the
            // person's erasure, so they are never texted automatically again, without the number.
            .field("number_hash", .varchar(64), .identifier(auto: false))
            .field("keyword", .varchar(20), .required)
            .field("opted_out_at", .datetime, .required)
            .create()

        try await database.schema("contact_submissions").field("first_contact_at", .datetime).update()
        try await database.schema("contact_submissions").field("first_contact_seconds", .int64).update()
        try await database.createIndex("contact_submissions_first_contact_index", on: "contact_submissions", columns: ["first_contact_seconds", "id"])
        // The dashboard's "still waiting, oldest first" reads only these rows.
        if let sql = database as? any SQLDatabase {
            try await sql.raw("""
                CREATE INDEX contact_submissions_waiting_index ON contact_submissions (created_at, id)
                WHERE first_contact_at IS NULL AND phone IS NOT NULL
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.dropIndex("contact_submissions_waiting_index")
        try await database.dropIndex("contact_submissions_first_contact_index")
        try await database.schema("contact_submissions").deleteField("first_contact_seconds").update()
        try await database.schema("contact_submissions").deleteField("first_contact_at").update()
        try await database.schema("do_not_text").delete()
        try await database.dropIndex("sms_messages_automatic_text_id_index")
        try await database.schema("sms_messages").deleteField("automatic_text_id").update()
        try await database.schema("sms_messages").deleteField("kind").update()
        try await database.schema("automatic_texts").delete()
    }
}
