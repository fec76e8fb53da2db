import Foundation

/// Time to first contact in words, for the enquiry's page and list.
enum FirstContactText {
    static func describe(_ enquiry: Enquiry, now: Date) -> String {
        if let seconds = enquiry.firstContactSeconds {
            return duration(seconds) + " after it came in"
        }
        guard enquiry.phone != nil else { return "No phone to call or text" }
        guard let created = enquiry.createdAt else { return "Waiting" }
        return "Waiting for " + duration(Int(now.timeIntervalSince(created)))
    }

    /// "45 s", "12 min", "3 h 5 min", "2 days 4 h".
    static func duration(_ seconds: Int) -> String {
        let seconds = max(0, seconds)
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return "\(seconds / 60) min" }
        if seconds < 86_400 {
            let minutes = (seconds % 3600) / 60
            return "\(seconds / 3600) h" + (minutes > 0 ? " \(minutes) min" : "")
        }
        let hours = (seconds % 86_400) / 3600
        return "\(seconds / 86_400) \(seconds / 86_400 == 1 ? "day" : "days")" + (hours > 0 ? " \(hours) h" : "")
    }
}
