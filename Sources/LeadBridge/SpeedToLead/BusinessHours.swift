import Foundation

/// When the office answers: ranges per weekday in one time zone, as RingCentral's
/// `weeklyRanges` keeps them (`monday: [{from: "09:00", to: "18:00"}]`) or as an admin types them
/// in Speed to lead. A day with no range is closed. No ranges at all means no hours are known,
/// and every moment counts as open: nothing is held or reworded on a guess.
struct BusinessHours: Sendable, Equatable {
    /// Minutes after midnight, `from` before `to` (RingCentral's "24:00" ends a day).
    struct Range: Sendable, Equatable { let from: Int; let to: Int }

    /// RingCentral's day names, Monday first; their index + 2 is Foundation's weekday (Sunday 1).
    static let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    var weekly: [String: [Range]] = [:]
    var timeZone: TimeZone

    var isKnown: Bool { weekly.values.contains { !$0.isEmpty } }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    private static func day(ofWeekday weekday: Int) -> String { days[(weekday + 5) % 7] }

    func isOpen(at date: Date) -> Bool {
        guard isKnown else { return true }
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        return (weekly[Self.day(ofWeekday: parts.weekday ?? 1)] ?? []).contains { $0.from <= minute && minute < $0.to }
    }

    /// The next moment the office opens after `date` (within a week); nil when it never does.
    func nextOpening(after date: Date) -> Date? {
        guard isKnown else { return nil }
        let calendar = calendar
        let startOfDay = calendar.startOfDay(for: date)
        for offset in 0...7 {
            guard let day = calendar.date(byAdding: .day, value: offset, to: startOfDay) else { continue }
            let name = Self.day(ofWeekday: calendar.component(.weekday, from: day))
            for range in (weekly[name] ?? []).sorted(by: { $0.from < $1.from }) {
                guard let opens = calendar.date(bySettingHour: range.from / 60, minute: range.from % 60, second: 0, of: day) else { continue }
                if opens > date { return opens }
            }
        }
        return nil
    }

    /// "9:00 tomorrow", "9:00 Monday", "14:00 today": what `{opens_at}` says, in the office's time.
    func describeOpening(after date: Date) -> String {
        guard let opens = nextOpening(after: date) else { return "our next opening" }
        let calendar = calendar
        let parts = calendar.dateComponents([.hour, .minute], from: opens)
        let time = String(format: "%d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        if calendar.isDate(opens, inSameDayAs: date) { return time + " today" }
        if let tomorrow = calendar.date(byAdding: .day, value: 1, to: date), calendar.isDate(opens, inSameDayAs: tomorrow) {
            return time + " tomorrow"
        }
        let name = Self.day(ofWeekday: calendar.component(.weekday, from: opens))
        return time + " " + name.prefix(1).uppercased() + name.dropFirst()
    }

    // MARK: Text

    /// "09:00-12:00, 13:00-17:30" (or "9:00–17:00"): the ranges, or nil when one is not a range.
    /// Empty text is a closed day.
    static func parseDay(_ text: String) -> [Range]? {
        var ranges: [Range] = []
        for piece in text.split(separator: ",") {
            let bounds = piece.replacingOccurrences(of: "\u{2013}", with: "-").split(separator: "-")
            guard bounds.count == 2, let from = minutes(bounds[0]), let to = minutes(bounds[1]), from < to else { return nil }
            ranges.append(Range(from: from, to: to))
        }
        return ranges
    }

    /// "09:00" → 540; "24:00" (the end of a day) → 1440.
    static func minutes(_ text: Substring) -> Int? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0...59).contains(minute),
              (0...23).contains(hour) || (hour == 24 && minute == 0) else { return nil }
        return hour * 60 + minute
    }

    static func format(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }

    static func formatDay(_ ranges: [Range]) -> String {
        ranges.map { format($0.from) + "-" + format($0.to) }.joined(separator: ", ")
    }

    /// `BUSINESS_HOURS`: "mon-fri 09:00-17:00; sat 10:00-14:00" (days by their first three
    /// letters, a span with a dash). Nil when it cannot be read.
    static func parseWeek(_ text: String) -> [String: [Range]]? {
        var weekly: [String: [Range]] = [:]
        for clause in text.split(separator: ";") {
            let words = clause.split(separator: " ", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard words.count == 2, let ranges = parseDay(words[1]) else { return nil }
            let span = words[0].lowercased().split(separator: "-").map(String.init)
            let indices = span.compactMap { short in days.firstIndex { $0.hasPrefix(short) && short.count >= 3 } }
            guard indices.count == span.count, let first = indices.first, let last = indices.last, first <= last else { return nil }
            for index in first...last { weekly[days[index], default: []] += ranges }
        }
        return weekly
    }
}
