import Fluent
import Foundation
import RingCentralKit

/// An incremental call-log sync (from the last synced start time, with an overlap), run on
/// the schedule, from the admin's button, and after a telephony webhook.
struct SyncRingCentralCallLogs: JobKind {
    struct Payload: Codable, Sendable {
        /// Seconds since 1970; nil: from the last synced start time.
        var since: Double? = nil
    }
    static let name = "ringcentral.sync-call-logs"
    static let maxAttempts = 6
    /// One pending sync is enough: a second request joins the first.
    static let uniqueKey = "ringcentral-call-log-sync"
    /// The one sync queued behind a running one (see `request`).
    static let followUpKey = "ringcentral-call-log-sync:follow-up"

    let callLog: CallLogSync
    let clock: AppClock

    /// Asks for an incremental sync soon (a telephony webhook, the Sync now button). One waiting
    /// sync answers any number of requests. A running sync holds the unique key but may have
    /// read the call log before this call was in it, so unless a sync is still waiting to start
    /// (whether this request queued it or found it), one follow-up is queued too, a minute
    /// later. Checking for a waiting job after the insert, not for a running one, leaves no gap
    /// in which a sync that has just finished takes the request with it.
    static func request(queue: JobQueue, on db: any Database, delay: TimeInterval) async throws {
        try await queue.enqueue(Self.self, .init(), on: db, delay: delay, uniqueKey: uniqueKey)
        let waiting = try await QueuedJob.query(on: db)
            .filter(\.$uniqueKey == uniqueKey)
            .group(.or) { $0.filter(\.$reservedUntil == nil).filter(\.$reservedUntil <= queue.now()) }
            .count()
        if waiting == 0 {
            try await queue.enqueue(Self.self, .init(), on: db, delay: max(delay, 60), uniqueKey: followUpKey)
        }
    }

    func run(_ payload: Payload, context: JobContext) async throws {
        // One sync at a time: a follow-up (or a main sync queued behind it) waits for the other.
        // Only an older job makes this one wait, so two claimed at once never both step back.
        let othersRunning = try await QueuedJob.query(on: context.db)
            .filter(\.$kind == Self.name)
            .filter(\.$id < context.jobID)
            .filter(\.$reservedUntil > clock.now())
            .count()
        if othersRunning > 0 {
            throw JobFailure.deferred(30, "Another call-log sync is running; this one starts after it.")
        }
        do {
            let outcome = try await callLog.sync(dateFrom: payload.since.map(Date.init(timeIntervalSince1970:)))
            context.logger.info("Call-log sync: \(outcome.records) record(s) in \(outcome.pages) page(s), \(outcome.linked) linked to enquiries")
        } catch let error as RingCentralError {
            throw JobFailure.from(error)
        }
    }

    /// Every minute the scheduler asks; a sync is queued when the configured interval has passed.
    static func recurringTask() -> RecurringTask {
        RecurringTask(name: "ringcentral.call-log-sync", interval: 60) { queue, db in
            guard try await RingCentralTokenRecord.isConnected(on: db) else { return }
            guard let schedule = try await RingCentralSettingsStore.callLogSchedule(on: db), schedule.minutes > 0 else { return }
            let sinceLastRun = queue.now().timeIntervalSince(schedule.lastRun ?? .distantPast)
            guard sinceLastRun >= Double(schedule.minutes * 60) - 30 else { return }
            try await queue.enqueue(SyncRingCentralCallLogs.self, .init(), on: db, uniqueKey: uniqueKey)
        }
    }
}
