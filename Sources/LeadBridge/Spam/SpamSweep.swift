import Fluent
import Foundation
import SQLKit

/// Erases spam older than `SPAM_RETENTION_DAYS` (30 by default), once a day, in batches.
/// Spam was never synced, exported or texted: deleting its row (and what cascades) is all.
struct SpamSweep: JobKind {
    struct Payload: Codable, Sendable {}
    static let name = "spam.retention"
    static let maxAttempts = 3
    static let batchSize = 500

    let retentionDays: Int?
    let clock: AppClock

    static func recurringTask() -> RecurringTask {
        RecurringTask(name: "spam-retention", interval: 86_400) { queue, db in
            try await queue.enqueue(SpamSweep.self, .init(), on: db, uniqueKey: "spam-retention")
        }
    }

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let days = retentionDays else { return }
        _ = try await Self.sweep(days: days, on: context.db, now: clock.now())
    }

    /// How many spam enquiries older than `days` were erased.
    static func sweep(days: Int, on db: any Database, now: Date) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
        var erased = 0
        while true {
            let ids = try await Enquiry.query(on: db).filter(\.$status == .spam).filter(\.$createdAt < cutoff)
                .sort(\.$id).limit(batchSize).all(\.$id)
            guard !ids.isEmpty else { return erased }
            try await db.writeTransaction { tx in try await Enquiry.query(on: tx).filter(\.$id ~~ ids).delete() }
            erased += ids.count
        }
    }
}
