import SQLKit

/// PostgreSQL runs workers' claims at once: `FOR UPDATE SKIP LOCKED` lets each take rows no
/// other claim holds, instead of queueing on them or leasing one job twice.
enum PostgresJobClaim: JobClaim {
    static let rowLock: SQLQueryString = " FOR UPDATE SKIP LOCKED"
}
