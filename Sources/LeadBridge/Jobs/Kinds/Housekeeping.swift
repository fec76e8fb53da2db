import Fluent
import Foundation
import SQLKit

/// Hourly upkeep that no request triggers:
/// - SuiteDash syncs held for the month's budget are let go again, to re-check it (a new
///   month, or a raised limit, lets them run; otherwise they wait again, at no API cost);
/// - rate counters whose windows ended long ago are deleted;
/// - import-mode export files older than `SUITEDASH_EXPORT_RETENTION_DAYS` are deleted (they
///   hold people's details; the export's row stays, as history, and says the file is gone);
/// - enquiries still waiting for SQLite's search index are indexed (those stored by another
///   process or the demo; the server's own writer indexes its enquiries as it goes);
/// - the enquiry counts' and the daily counts' change rows are folded (`EnquiryCounts`, `DailyCounts`), and SQLite's query planner
///   statistics refreshed (`PRAGMA optimize`, as SQLite advises for long-lived connections).
struct Housekeeping: JobKind {
    struct Payload: Codable, Sendable {}
    static let name = "housekeeping"
    static let maxAttempts = 3

    let suiteDash: SuiteDashService
    let jobQueue: JobQueue
    let clock: AppClock
    /// `SUITEDASH_EXPORT_RETENTION_DAYS` (0: kept).
    let exportRetentionDays: Int
    let budgetReservePercent: Int

    static func recurringTask() -> RecurringTask {
        RecurringTask(name: "housekeeping", interval: 3600) { queue, db in
            try await queue.enqueue(Housekeeping.self, .init(), on: db, uniqueKey: "housekeeping")
        }
    }

    func run(_ payload: Payload, context: JobContext) async throws {
        let now = clock.now()
        let settings = try? await suiteDash.settings.load()
        if let settings, settings.syncsAutomatically, settings.failingReason == nil {
            let held = try await QueuedJob.query(on: context.db).filter(\.$waitingFor == SyncEnquiryToSuiteDash.waitKey).count()
            if held > 0, try await budgetAllows(settings, now: now) {
                try await jobQueue.resume(waitingFor: SyncEnquiryToSuiteDash.waitKey, on: context.db)
            }
        }
        try await RateCounters(database: context.db).sweep(olderThan: 24 * 3600, now: now)
        try await deleteOldExports(now: now, on: context.db)
        try await EnquiryCounts.fold(on: context.db)
        try await DailyCounts.fold(on: context.db)
        try await context.db.sql().optimizeStatistics()
        try await EnquirySearchBacklog.indexAll(on: context.db)
    }

    private func deleteOldExports(now: Date, on db: any Database) async throws {
        guard exportRetentionDays > 0 else { return }
        let cutoff = now.addingTimeInterval(-Double(exportRetentionDays) * 86_400)
        let exporter = suiteDash.exporter
        for export in try await SuiteDashExport.query(on: db).filter(\.$createdAt < cutoff).all() {
            try? FileManager.default.removeItem(atPath: exporter.path(for: export))
        }
    }

    /// True when automatic syncs may spend calls again.
    private func budgetAllows(_ settings: SuiteDashSettings, now: Date) async throws -> Bool {
        guard let limit = settings.monthlyCallLimit else { return true }
        let calls = try await suiteDash.requestsThisMonth(now: now)
        return calls < limit - SuiteDashBudget.reserve(of: limit, percent: budgetReservePercent)
    }
}
