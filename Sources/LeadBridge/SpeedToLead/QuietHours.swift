import Foundation

/// No automatic text reaches a lead before 8:00 or after 21:00 where they are: the hours US
/// rules allow for unsolicited texts (the TCPA's calling hours, 47 CFR 64.1200(c)(1)), applied
/// everywhere since a text at 23:40 is rude in any country. Where the number may be in several
/// zones, the hours must hold in all of them; where nothing is known, in the business's.
enum QuietHours {
    static let opensHour = 8
    static let closesHour = 21

    /// Nil when a text may go now; else the first moment it may.
    static func nextAllowed(to number: String, at now: Date, businessZone: TimeZone) -> Date? {
        let guessed = NumberTimeZones.zones(for: number)
        let next = nextAllowed(in: guessed.isEmpty ? [businessZone] : guessed, at: now)
        // Zones too far apart to share a waking hour: the business's own decides.
        return next == .distantFuture ? nextAllowed(in: [businessZone], at: now) : next
    }

    static func isAllowed(_ date: Date, in zones: [TimeZone]) -> Bool {
        zones.allSatisfy { zone in
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let hour = calendar.component(.hour, from: date)
            return hour >= opensHour && hour < closesHour
        }
    }

    /// Nil when allowed now. Otherwise the earliest 8:00 of one of the zones, within two days,
    /// at which every zone is within its hours: the window opens when its last zone wakes.
    /// `.distantFuture` when no such moment exists (zones too far apart), so the caller falls back.
    private static func nextAllowed(in zones: [TimeZone], at now: Date) -> Date? {
        if isAllowed(now, in: zones) { return nil }
        var candidates: [Date] = []
        for zone in zones {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let today = calendar.startOfDay(for: now)
            for offset in 0...2 {
                if let day = calendar.date(byAdding: .day, value: offset, to: today),
                   let opens = calendar.date(bySettingHour: opensHour, minute: 0, second: 0, of: day), opens > now {
                    candidates.append(opens)
                }
            }
        }
        return candidates.sorted().first { isAllowed($0, in: zones) } ?? .distantFuture
    }
}
