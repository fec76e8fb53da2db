import Fluent
import Foundation
import SQLKit

/// A 429 from SuiteDash stops every automatic sync, in every process, until its `Retry-After`
/// (60 s when it gives none). Without it each job waited out only its own 429 while the others
/// kept calling, and SuiteDash went on receiving hundreds of requests during its 429s.
/// Kept in `rate_counters` (one row; `window_started` holds when the pause ends).
struct SuiteDashPause {
    static let key = "suitedash:paused-until"
    let database: any Database

    /// When the pause in force ends, or nil when there is none.
    func until(now: Date) async throws -> Date? {
        guard let sql = database as? any SQLDatabase else { return nil }
        let end = try await sql.raw("SELECT window_started FROM rate_counters WHERE key = \(bind: Self.key)").first()?
            .decode(column: "window_started", as: Double.self)
        guard let end, end > now.timeIntervalSince1970 else { return nil }
        return Date(timeIntervalSince1970: end)
    }

    /// Pauses syncing until `until`; a pause already in force that ends later is kept.
    func pause(until: Date) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let end = until.timeIntervalSince1970
        try await sql.raw("""
            INSERT INTO rate_counters (key, attempts, window_started) VALUES (\(bind: Self.key), 0, \(bind: end))
            ON CONFLICT (key) DO UPDATE SET window_started = CASE
                WHEN excluded.window_started > rate_counters.window_started THEN excluded.window_started
                ELSE rate_counters.window_started END
            """).run()
    }
}
