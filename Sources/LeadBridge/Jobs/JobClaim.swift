import Foundation
import SQLKit

/// The statement that leases due jobs to a worker and counts the attempt, returning
/// `id, kind, payload, attempts, max_attempts, reserved_until`. It is one statement on both
/// databases but for how the inner SELECT holds its rows; each database's file
/// (`SQLiteJobClaim`, `PostgresJobClaim`) says that part and why.
protocol JobClaim {
    /// Appended to the inner SELECT that picks the jobs.
    static var rowLock: SQLQueryString { get }
}

extension JobClaim {
    static func statement(worker: String, leaseUntil: Date, now: Date, limit: Int) -> SQLQueryString {
        """
        UPDATE jobs SET reserved_by = \(bind: worker), reserved_until = \(bind: leaseUntil),
            attempts = attempts + 1, updated_at = \(bind: now)
        WHERE id IN (
            SELECT id FROM jobs
            WHERE waiting_for IS NULL AND available_at <= \(bind: now)
              AND (reserved_until IS NULL OR reserved_until <= \(bind: now))
            ORDER BY available_at, id LIMIT \(bind: limit)\(Self.rowLock))
        RETURNING id, kind, payload, attempts, max_attempts, reserved_until
        """
    }
}

enum JobClaims {
    static func forDatabase(_ sql: any SQLDatabase) -> any JobClaim.Type {
        switch sql.sqlDialect {
        case .postgres: PostgresJobClaim.self
        case .sqlite: SQLiteJobClaim.self
        }
    }
}
