import Foundation
import SQLKit

/// The statement that leases due jobs to a worker and counts the attempt, returning
/// `id, kind, payload, attempts, max_attempts, reserved_until`. Each database has its own
/// file (`SQLiteJobClaim`, `PostgresJobClaim`), so reading one never means reading both.
protocol JobClaim {
    static func statement(worker: String, leaseUntil: Date, now: Date, limit: Int) -> SQLQueryString
}

enum JobClaims {
    static func forDatabase(_ sql: any SQLDatabase) -> any JobClaim.Type {
        JobQueue.isPostgres(sql) ? PostgresJobClaim.self : SQLiteJobClaim.self
    }
}
