import Fluent
import Foundation
import SQLKit

/// `ENQUIRY_RETENTION_DAYS`: enquiries older than that are erased as `PersonData.erase` erases
/// a person (their calls and texts deleted, the log rows about them emptied, their rows taken
/// out of CSV exports), and so are calls and texts older than it; log rows older than it are
/// emptied. In batches, each its own short transaction, so no writer waits long. Once a day.
struct RetentionSweep: JobKind {
    struct Payload: Codable, Sendable {}
    static let name = "privacy.retention"
    static let maxAttempts = 3
    static let batchSize = 500

    /// `ENQUIRY_RETENTION_DAYS` (nil: kept for ever).
    let retentionDays: Int?
    let exportsFolder: String
    let jobQueue: JobQueue
    let clock: AppClock

    static func recurringTask() -> RecurringTask {
        RecurringTask(name: "privacy-retention", interval: 86_400) { queue, db in
            try await queue.enqueue(RetentionSweep.self, .init(), on: db, uniqueKey: "privacy-retention")
        }
    }

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let days = retentionDays else { return }
        let outcome = try await Self.sweep(days: days, database: context.db, exportsFolder: exportsFolder, now: clock.now())
        // A first run on a big install stops at its time budget (well inside the job timeout)
        // and carries on in a new job.
        if !outcome.finished {
            try await jobQueue.enqueue(RetentionSweep.self, .init(), on: context.db, uniqueKey: "privacy-retention-continued")
        }
    }

    /// How long one run may erase before it records what it did and leaves the rest to the next.
    static let timeBudget: TimeInterval = 60

    /// Erases what is older than `days`; records one erasure for the run (even an empty one, so
    /// the dashboard can say when the policy last ran). Each table is read forward by id, so a
    /// run reads it once however much it erases.
    static func sweep(days: Int, database: any Database, exportsFolder: String, now: Date,
                      budget: TimeInterval = timeBudget) async throws -> (erased: PersonData.Erased, finished: Bool) {
        let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
        let deadline = Date().addingTimeInterval(budget)
        let data = PersonData(database: database, exportsFolder: exportsFolder)
        var total = PersonData.Erased()
        var finished = true
        while true {
            let batch = try await data.eraseEnquiries(createdBefore: cutoff, limit: batchSize, now: now)
            total.enquiries += batch.enquiries
            total.calls += batch.calls
            total.texts += batch.texts
            total.logRows += batch.logRows
            total.exports += batch.exports
            total.exportsNotRewritten += batch.exportsNotRewritten
            if batch.enquiries < batchSize { break }
            if Date() > deadline { finished = false; break }
        }
        let sql = try database.sql()
        // Calls, texts and log rows older than the policy, whoever they were about.
        // Automatic texts name a number (a caller who never sent an enquiry, too): they go with them.
        for (table, column) in [("call_logs", "COALESCE(start_time, created_at)"), ("sms_messages", "created_at"),
                                ("automatic_texts", "created_at")] where finished {
            var cursor = 0
            while true {
                let ids = try await sql.raw("""
                    SELECT id FROM \(unsafeRaw: table) WHERE id > \(bind: cursor) AND \(unsafeRaw: column) < \(bind: cutoff)
                    ORDER BY id LIMIT \(bind: batchSize)
                    """).all().map { try $0.decode(column: "id", as: Int.self) }
                guard let last = ids.last else { break }
                cursor = last
                try await sql.raw("DELETE FROM \(unsafeRaw: table) WHERE id IN (\(unsafeRaw: ids.map(String.init).joined(separator: ", ")))").run()
                if table == "call_logs" { total.calls += ids.count } else if table == "sms_messages" { total.texts += ids.count }
                if Date() > deadline { finished = false; break }
            }
        }
        var cursor = 0
        while finished {
            let ids = try await sql.raw("""
                SELECT id FROM integration_logs WHERE id > \(bind: cursor) AND created_at < \(bind: cutoff)
                AND (payload IS NOT NULL OR response IS NOT NULL OR error_message IS NOT NULL) ORDER BY id LIMIT \(bind: batchSize)
                """).all().map { try $0.decode(column: "id", as: Int.self) }
            guard let last = ids.last else { break }
            cursor = last
            try await sql.raw("""
                UPDATE integration_logs SET payload = NULL, response = NULL, error_message = NULL, related_id = NULL
                WHERE id IN (\(unsafeRaw: ids.map(String.init).joined(separator: ", ")))
                """).run()
            total.logRows += ids.count
            if Date() > deadline { finished = false }
        }
        if finished {
            // RingCentral notifications kept to spot repeats: after the policy's age, only that they came.
            try await sql.raw("UPDATE webhook_events SET payload = NULL WHERE received_at < \(bind: cutoff) AND payload IS NOT NULL").run()
        }
        try await PersonData.record(kind: "retention", requestedBy: "ENQUIRY_RETENTION_DAYS",
                                    matchedBy: "older than \(days) days" + (finished ? "" : " (continued in a new job)"),
                                    total, now: now, on: database)
        return (total, finished)
    }
}
