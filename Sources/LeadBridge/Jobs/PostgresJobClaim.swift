import Foundation
import SQLKit

/// PostgreSQL runs workers' claims at once: `FOR UPDATE SKIP LOCKED` lets each take rows no
/// other claim holds, instead of queueing on them or leasing one job twice.
enum PostgresJobClaim: JobClaim {
    static func statement(worker: String, leaseUntil: Date, now: Date, limit: Int) -> SQLQueryString {
        """
        UPDATE jobs SET reserved_by = \(bind: worker), reserved_until = \(bind: leaseUntil),
            attempts = attempts + 1, updated_at = \(bind: now)
        WHERE id IN (
            SELECT id FROM jobs
            WHERE waiting_for IS NULL AND available_at <= \(bind: now)
              AND (reserved_until IS NULL OR reserved_until <= \(bind: now))
            ORDER BY available_at, id LIMIT \(bind: limit) FOR UPDATE SKIP LOCKED)
        RETURNING id, kind, payload, attempts, max_attempts, reserved_until
        """
    }
}
