import Fluent
import Foundation
import SQLKit

/// Counters in fixed windows in `rate_counters`, shared by every server on the database, with
/// one statement that both checks and counts: a sign-in attempt is counted *before* its
/// password is checked, so a burst of parallel guesses is counted one by one, never as one;
/// SuiteDash syncs are counted before they start, to hold them to a ceiling per minute.
struct RateCounters {
    let database: any Database

    /// Counts one attempt under `key` if fewer than `limit` were counted in the window
    /// (a window older than `window` seconds starts again); false when the limit is reached.
    /// `counting: false` only asks, with the same statements (so the same time) as counting.
    func reserve(_ key: String, limit: Int, window: TimeInterval, now: Date, counting: Bool = true) async throws -> Bool {
        let step = counting ? 1 : 0
        guard let sql = database as? any SQLDatabase else { return true }
        let now = now.timeIntervalSince1970
        let expired = now - window
        try await sql.raw("""
            INSERT INTO rate_counters (key, attempts, window_started) VALUES (\(bind: key), 0, \(bind: now))
            ON CONFLICT (key) DO NOTHING
            """).run()
        // The row lock of the UPDATE (PostgreSQL) or the write lock (SQLite) makes check-and-count one step.
        let counted = try await sql.raw("""
            UPDATE rate_counters
            SET attempts = CASE WHEN window_started <= \(bind: expired) THEN \(bind: step) ELSE attempts + \(bind: step) END,
                window_started = CASE WHEN window_started <= \(bind: expired) THEN \(bind: now) ELSE window_started END
            WHERE key = \(bind: key) AND (window_started <= \(bind: expired) OR attempts < \(bind: limit))
            RETURNING attempts
            """).all()
        return !counted.isEmpty
    }

    /// Forgets a key's attempts (after a good sign-in).
    func clear(_ keys: [String]) async throws {
        try await RateCounter.query(on: database).filter(\.$id ~~ keys).delete()
    }

    /// Drops windows long over, so the table holds only recent keys.
    func sweep(olderThan seconds: TimeInterval, now: Date) async throws {
        try await RateCounter.query(on: database).filter(\.$windowStarted < now.timeIntervalSince1970 - seconds).delete()
    }
}

/// The keys sign-in attempts are counted under. Hashed: the table must not become a list of
/// who tried which email from where.
enum LoginAttemptKeys {
    /// Every attempt at one account, from anywhere (unknown emails too: they must behave alike).
    static func account(_ email: String) -> String { "account:" + digest(email) }
    /// Attempts at one account from one address.
    static func pair(_ email: String, ip: String) -> String { "pair:" + digest(email + "\u{0}" + ip) }

    static func digest(_ text: String) -> String { SecureToken.sha256Hex(text) }
}
