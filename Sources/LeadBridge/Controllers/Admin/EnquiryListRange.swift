import Foundation
import SQLKit
import Vapor

/// The enquiries list's date and sync-time filters, as the dashboard's charts link to them:
/// `since` and `until` are UTC days (`2026-11-03`, both included), `synced` how soon after
/// arriving an enquiry reached SuiteDash.
struct EnquiryListRange: Sendable {
    enum SyncSpeed: String, CaseIterable, Sendable {
        case minute, hour, later

        var label: String {
            switch self {
            case .minute: "Synced within a minute"
            case .hour: "Synced within an hour"
            case .later: "Synced after an hour"
            }
        }

        /// A synced enquiry's speed ('minute', 'hour' or 'later'; NULL for any other status), as
        /// the 021 triggers bucket it. `021_CountByDay` indexes this very expression, with
        /// `created_at` and `id` after it, so a filtered list is a range of that index; a query
        /// must use it unchanged for the database to see the index fits.
        static func expression(_ dialect: SQLDialect) -> String {
            let elapsed = dialect == .postgres ? "EXTRACT(EPOCH FROM (synced_at - created_at))" : "(synced_at - created_at)"
            return "CASE WHEN status = 'synced' THEN CASE WHEN \(elapsed) <= 60 THEN 'minute' WHEN \(elapsed) <= 3600 THEN 'hour' ELSE 'later' END END"
        }

        /// The list's condition: the indexed expression equals this speed.
        func condition(_ dialect: SQLDialect) -> SQLRaw {
            SQLRaw("(\(Self.expression(dialect))) = '\(rawValue)'")
        }
    }

    var since: Date?
    var until: Date?
    var synced: SyncSpeed?
    /// `source`: where leads came from (`contact_submissions.channel`: a UTM source, an ad
    /// network, a referring site or "direct"), as the list's Source column and the dashboard show it.
    var channel: String?

    var isEmpty: Bool { since == nil && until == nil && synced == nil && channel == nil }
    var sinceText: String { since.map(Self.dayText) ?? "" }
    var untilText: String { until.map(Self.dayText) ?? "" }

    var queryItems: [String] {
        var items: [String] = []
        if let since { items.append("since=" + Self.dayText(since)) }
        if let until { items.append("until=" + Self.dayText(until)) }
        if let synced { items.append("synced=" + synced.rawValue) }
        if let channel { items.append("source=" + (channel.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")) }
        return items
    }

    init(since: Date? = nil, until: Date? = nil, synced: SyncSpeed? = nil, channel: String? = nil) {
        self.since = since
        self.until = until
        self.synced = synced
        self.channel = channel
    }

    /// Reads the filters; a malformed one is a 400 that says what to type.
    init(_ req: Request) throws {
        func text(_ name: String) -> String? {
            guard let value = try? req.query.get(String.self, at: name) else { return nil }
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            return trimmed.isEmpty ? nil : trimmed
        }
        channel = text("source").map { String(TextSanitizer.singleLine($0).lowercased().prefix(Attribution.maxChannelLength)) }
        since = try AdminDay.parse(text("since"), label: "From")
        until = try AdminDay.parse(text("until"), label: "To")
        if let value = text("synced") {
            guard let speed = SyncSpeed(rawValue: value) else {
                throw Abort(.badRequest, reason: "Sync time must be minute, hour or later.")
            }
            synced = speed
        }
    }

    static func dayText(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash))
    }
}
