import Foundation

/// Reads the dates people type for export filters: `2026-11-01` (the start of that day in the
/// export time zone) or a full ISO 8601 time.
enum ExportDate {
    static func parse(_ text: String, timeZone: TimeZone) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let full = try? Date(trimmed, strategy: .iso8601) { return full }
        let parts = trimmed.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, trimmed.count == 10 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }
}
