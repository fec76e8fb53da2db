import SQLKit

/// SQLite has one writer at a time, so the inner SELECT and the UPDATE see the same rows:
/// no two workers can lease one job, and there is no row lock to ask for.
enum SQLiteJobClaim: JobClaim {
    static let rowLock: SQLQueryString = ""
}
