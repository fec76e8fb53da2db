import Foundation

/// How every admin page, text and log line writes a moment.
enum AdminDate {
    /// `2026-11-24 17:05 UTC`: unambiguous for every reader of the admin.
    static func format(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(.iso8601.year().month().day().dateSeparator(.dash)) + " "
            + date.formatted(.iso8601.time(includingFractionalSeconds: false).timeSeparator(.colon)).prefix(5) + " UTC"
    }
}
