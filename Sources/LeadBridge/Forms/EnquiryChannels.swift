import Fluent
import Foundation
import SQLKit

/// The channels leads have come from, for the list's Source filter and the dashboard's chart.
enum EnquiryChannels {
    /// The most common first, at most 50 (read from the channel index, not the rows).
    static func known(on db: any Database) async throws -> [String] {
        try await db.sql().raw("""
            SELECT channel, COUNT(*) AS n FROM contact_submissions WHERE channel IS NOT NULL
            GROUP BY channel ORDER BY n DESC, channel LIMIT 50
            """).all().map { try $0.decode(column: "channel", as: String.self) }
    }

    struct Figure: Sendable, Encodable {
        let channel: String
        let enquiries: Int
        /// The median seconds to first contact of its contacted enquiries; nil when none was.
        let medianFirstContactSeconds: Int?
    }

    /// Enquiries by channel since `since`, with each channel's median time to first contact:
    /// the other half of "which channel brought this lead, and how fast did we answer it".
    static func figures(since: Date, limit: Int = 8, on db: any Database) async throws -> [Figure] {
        let sql = try db.sql()
        let counts = try await sql.raw("""
            SELECT COALESCE(channel, 'direct') AS channel, COUNT(*) AS n FROM contact_submissions
            WHERE created_at >= \(bind: since) AND status <> 'spam' GROUP BY COALESCE(channel, 'direct') ORDER BY n DESC LIMIT \(bind: limit)
            """).all().map { (try $0.decode(column: "channel", as: String.self), try $0.decode(column: "n", as: Int.self)) }
        var figures: [Figure] = []
        for (channel, count) in counts {
            // The medians are read a channel at a time from its contacted rows: both databases, no window functions.
            let seconds = try await sql.raw("""
                SELECT first_contact_seconds AS s FROM contact_submissions
                WHERE COALESCE(channel, 'direct') = \(bind: channel) AND created_at >= \(bind: since)
                AND status <> 'spam' AND first_contact_seconds IS NOT NULL ORDER BY first_contact_seconds LIMIT 10000
                """).all().map { try $0.decode(column: "s", as: Int.self) }
            figures.append(Figure(channel: channel, enquiries: count,
                                  medianFirstContactSeconds: seconds.isEmpty ? nil : seconds[seconds.count / 2]))
        }
        return figures
    }
}
