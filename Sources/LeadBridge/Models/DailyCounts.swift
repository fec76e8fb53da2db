import Fluent
import Foundation
import SQLKit

/// Counts per UTC day and key for one metric ("enquiries", "calls", "texts"), read from the
/// change rows the `021_CountByDay` triggers append: a sum over a few rows per day and key.
struct DailyCounts: Sendable, Equatable {
    /// Days since 1970-01-01 (UTC) → key → count; zero counts are absent.
    var byDay: [Int: [String: Int]] = [:]

    func count(day: Int, key: String) -> Int { byDay[day]?[key] ?? 0 }
    func total(day: Int) -> Int { byDay[day]?.values.reduce(0, +) ?? 0 }
    /// The sum over every day read, for keys `matching`.
    func total(where matching: (String) -> Bool = { _ in true }) -> Int {
        byDay.values.reduce(0) { sum, keys in sum + keys.filter { matching($0.key) }.values.reduce(0, +) }
    }

    static func day(of date: Date) -> Int { Int((date.timeIntervalSince1970 / 86400).rounded(.down)) }
    static func date(ofDay day: Int) -> Date { Date(timeIntervalSince1970: Double(day) * 86400) }

    /// Past this many change rows in the range read, a read folds them.
    static let foldThreshold = 5_000

    static func read(_ metric: String, days: ClosedRange<Int>, on db: any Database) async throws -> DailyCounts {
        let sql = try db.sql()
        let rows = try await sql.raw("""
            SELECT day, key, CAST(SUM(change) AS BIGINT) AS total, COUNT(*) AS changes FROM daily_count_changes
            WHERE metric = \(bind: metric) AND day BETWEEN \(bind: days.lowerBound) AND \(bind: days.upperBound)
            GROUP BY day, key
            """).all()
        var counts = DailyCounts()
        var changes = 0
        for row in rows {
            changes += try row.decode(column: "changes", as: Int.self)
            let total = try row.decode(column: "total", as: Int.self)
            guard total != 0 else { continue }
            counts.byDay[try row.decode(column: "day", as: Int.self), default: [:]][try row.decode(column: "key", as: String.self)] = total
        }
        // Counted already: a fold that fails (the database busy) waits for the next read or the hourly upkeep.
        if changes > foldThreshold { try? await fold(on: db) }
        return counts
    }

    /// Replaces the change rows with one per (metric, day, key) that is not zero; writers are
    /// never blocked (see `EnquiryCounts.fold`, which this mirrors).
    static func fold(on db: any Database) async throws {
        let sql = try db.sql()
        if sql.sqlDialect == .postgres {
            try await sql.raw("""
                WITH folded AS (DELETE FROM daily_count_changes RETURNING metric, day, key, change)
                INSERT INTO daily_count_changes (metric, day, key, change)
                SELECT metric, day, key, SUM(change) FROM folded GROUP BY metric, day, key HAVING SUM(change) <> 0
                """).run()
        } else {
            try await db.writeTransaction { tx in
                let sql = try tx.sql()
                let row = try await sql.raw("SELECT MAX(id) AS last FROM daily_count_changes").first()
                guard let last = try row?.decode(column: "last", as: Int?.self) else { return }
                try await sql.raw("""
                    INSERT INTO daily_count_changes (metric, day, key, change)
                    SELECT metric, day, key, SUM(change) FROM daily_count_changes WHERE id <= \(bind: last)
                    GROUP BY metric, day, key HAVING SUM(change) <> 0
                    """).run()
                try await sql.raw("DELETE FROM daily_count_changes WHERE id <= \(bind: last)").run()
            }
        }
    }
}
