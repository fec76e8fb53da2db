import Fluent
import Foundation
import SQLKit

/// How many jobs are in each state, for the admin, the CLI and /metrics.
struct QueueStats: Sendable, Encodable {
    /// Due now, waiting for a worker.
    var ready = 0
    /// Waiting for their time (a retry's backoff, a delay).
    var scheduled = 0
    /// Held by a worker under a live lease.
    var running = 0
    /// Held back until an integration works again.
    var waiting = 0
    var failed = 0

    var byState: [(String, Int)] {
        [("ready", ready), ("scheduled", scheduled), ("running", running), ("waiting", waiting), ("failed", failed)]
    }

    static func read(on db: any Database, now: Date) async throws -> QueueStats {
        let sql = try db.sql()
        let row = try await sql.raw("""
            SELECT
              COALESCE(SUM(CASE WHEN waiting_for IS NOT NULL THEN 1 ELSE 0 END), 0) AS waiting,
              COALESCE(SUM(CASE WHEN waiting_for IS NULL AND reserved_until > \(bind: now) THEN 1 ELSE 0 END), 0) AS running,
              COALESCE(SUM(CASE WHEN waiting_for IS NULL AND (reserved_until IS NULL OR reserved_until <= \(bind: now))
                                 AND available_at <= \(bind: now) THEN 1 ELSE 0 END), 0) AS ready,
              COALESCE(SUM(CASE WHEN waiting_for IS NULL AND (reserved_until IS NULL OR reserved_until <= \(bind: now))
                                 AND available_at > \(bind: now) THEN 1 ELSE 0 END), 0) AS scheduled
            FROM jobs
            """).first()
        var stats = QueueStats()
        if let row {
            stats.waiting = try row.decode(column: "waiting", as: Int.self)
            stats.running = try row.decode(column: "running", as: Int.self)
            stats.ready = try row.decode(column: "ready", as: Int.self)
            stats.scheduled = try row.decode(column: "scheduled", as: Int.self)
        }
        stats.failed = try await FailedJob.query(on: db).count()
        return stats
    }
}
