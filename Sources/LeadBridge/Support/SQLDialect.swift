import FluentKit
import SQLKit

/// The two databases LeadBridge runs on. Every place their SQL differs is named here, so the
/// rest of the code says what it needs ("lock this row", "a JSON value") rather than asking
/// which database it is on. Migrations still branch themselves: each builds a schema once.
enum SQLDialect: Sendable {
    case sqlite
    case postgres

    init(_ sql: any SQLDatabase) {
        self = sql.dialect.name == "postgresql" ? .postgres : .sqlite
    }

    /// Case-insensitive LIKE: PostgreSQL's LIKE is case-sensitive, SQLite's is not (for ASCII).
    var caseInsensitiveLike: SQLQueryString { self == .postgres ? "ILIKE" : "LIKE" }
}

enum SQLDialectError: Error, CustomStringConvertible {
    case notSQL

    var description: String { "The database driver does not speak SQL (LeadBridge needs SQLite or PostgreSQL)." }
}

extension Database {
    /// This database's SQL interface. Both of LeadBridge's drivers have one; another would not.
    func sql() throws -> any SQLDatabase {
        guard let sql = self as? any SQLDatabase else { throw SQLDialectError.notSQL }
        return sql
    }

    /// Which of the two databases this is (SQLite for a driver without SQL, which has neither's features).
    var sqlDialect: SQLDialect {
        (self as? any SQLDatabase).map(SQLDialect.init) ?? .sqlite
    }
}

extension SQLDatabase {
    var sqlDialect: SQLDialect { SQLDialect(self) }

    /// A JSON value for a JSON column, from its text: PostgreSQL's column is JSONB and needs the
    /// cast; SQLite stores the text.
    func jsonValue(_ text: String) -> SQLQueryString {
        sqlDialect == .postgres ? "CAST(\(bind: text) AS JSONB)" : "\(bind: text)"
    }

    /// Inside a transaction: holds the rows `select` reads (a `SELECT … FROM … WHERE …`) against
    /// other writers until it ends. On PostgreSQL a row lock (`FOR UPDATE`); on SQLite nothing,
    /// because a `writeTransaction` already holds the one write lock.
    func lockRows(_ select: SQLQueryString) async throws {
        guard sqlDialect == .postgres else { return }
        try await raw("\(select) FOR UPDATE").run()
    }

    /// Inside a transaction: holds a whole table against other writers (readers go on). SQLite's
    /// write lock already does it; PostgreSQL needs the table held.
    func lockTableAgainstWriters(_ table: String) async throws {
        guard sqlDialect == .postgres else { return }
        try await raw("LOCK TABLE \(ident: table) IN SHARE ROW EXCLUSIVE MODE").run()
    }

    /// Runs `body` so that its failure undoes only its own statements, not the caller's
    /// transaction. PostgreSQL ends a transaction at a failed statement, so the body runs in a
    /// savepoint there; SQLite undoes only the failed statement and has one writer (no
    /// deadlocks), so it needs none, which spares two round trips.
    func isolatingFailure(_ name: String, _ body: () async throws -> Void) async throws {
        guard sqlDialect == .postgres else { return try await body() }
        try await raw("SAVEPOINT \(ident: name)").run()
        do {
            try await body()
            try await raw("RELEASE SAVEPOINT \(ident: name)").run()
        } catch {
            _ = try? await raw("ROLLBACK TO SAVEPOINT \(ident: name)").run()
            throw error
        }
    }

    /// Wakes PostgreSQL listeners on `channel`. SQLite has no listeners: its workers poll.
    func notify(_ channel: String) async throws {
        guard sqlDialect == .postgres else { return }
        try await raw("SELECT pg_notify(\(bind: channel), '')").run()
    }

    /// Lets the database refresh its planner's statistics where it needs telling: SQLite's
    /// `PRAGMA optimize` (PostgreSQL's autovacuum does this itself).
    func optimizeStatistics() async throws {
        guard sqlDialect == .sqlite else { return }
        try await raw("PRAGMA optimize").run()
    }
}
