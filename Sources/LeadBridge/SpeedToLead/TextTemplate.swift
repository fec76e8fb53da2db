import Foundation

/// An automatic text as the admin wrote it: fixed words and `{placeholders}`, filled in per
/// lead, with the opt-out line added when the words do not already say STOP. Checked once (at
/// start-up and when saved), so a text that could not be sent is refused before any lead waits.
struct TextTemplate: Sendable, Equatable {
    /// What may appear in braces, and the most UTF-16 code units a lead's value may fill: short,
    /// since what a visitor typed is a claim anyone can make, and the business's number says it
    /// (longer values are cut, so a filled-in text always fits).
    enum Placeholder: String, CaseIterable, Sendable {
        case firstName = "first_name", company, businessName = "business_name"
        /// When the office opens next, in its own time: "9:00 tomorrow" (after-hours texts).
        case opensAt = "opens_at"

        var maxLength: Int {
            switch self {
            case .firstName: return 30
            case .company: return 40
            case .opensAt: return 16 // "23:30 Wednesday"
            case .businessName: return 0 // The setting itself: counted as written.
            }
        }
    }

    /// Added to every automatic text to a lead unless it already tells them how to stop.
    static let optOutLine = "Reply STOP to opt out."

    let text: String

    /// The placeholders the text uses, in order, and any brace it does not understand.
    private static func tokens(_ text: String) -> (known: [Placeholder], unknown: [String]) {
        var known: [Placeholder] = [], unknown: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                unknown.append(String(rest[open...].prefix(30)))
                break
            }
            let name = String(rest[rest.index(after: open)..<close])
            if let placeholder = Placeholder(rawValue: name) { known.append(placeholder) } else { unknown.append("{\(name)}") }
            rest = rest[rest.index(after: close)...]
        }
        return (known, unknown)
    }

    /// Nil when the text can be sent; else a sentence naming the problem. `setting` names what
    /// the admin set (the environment variable or the admin's field).
    static func problem(_ text: String, setting: String, allowed: [Placeholder], businessName: String?) -> String? {
        let (known, unknown) = tokens(text)
        let names = allowed.map { "{\($0.rawValue)}" }
        let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " or " + names.last!
        if let first = unknown.first {
            return "\(setting) uses \(first), which is not a placeholder LeadBridge fills in; use \(list)."
        }
        if let first = known.first(where: { !allowed.contains($0) }) {
            return "\(setting) uses {\(first.rawValue)}, which this text cannot fill in; use \(list)."
        }
        if known.contains(.businessName), businessName?.isEmpty ?? true {
            return "\(setting) uses {business_name}: set BUSINESS_NAME (Speed to lead > Business name) first."
        }
        let longest = TextTemplate(text: text).render(
            firstName: String(repeating: "x", count: Placeholder.firstName.maxLength),
            company: String(repeating: "x", count: Placeholder.company.maxLength), businessName: businessName ?? "",
            opensAt: String(repeating: "x", count: Placeholder.opensAt.maxLength))
        if longest.utf16.count > RingCentralMessaging.maxSMSLength {
            return "\(setting) can be \(longest.utf16.count) characters long once filled in (with a \(Placeholder.firstName.maxLength)-character first name, a \(Placeholder.company.maxLength)-character company and the opt-out line, counted as RingCentral counts them: an emoji counts as two); RingCentral accepts at most \(RingCentralMessaging.maxSMSLength). Shorten it."
        }
        return nil
    }

    /// The text for one lead. Missing values read naturally ("there", "your company").
    func render(firstName: String?, company: String?, businessName: String, opensAt: String? = nil) -> String {
        var filled = self.filled(firstName: firstName, company: company, businessName: businessName, opensAt: opensAt)
        if filled.range(of: "STOP", options: .caseInsensitive) == nil { filled += "\n" + Self.optOutLine }
        return filled
    }

    /// The placeholders filled in, without the opt-out line (an email's acknowledgement uses it too).
    func filled(firstName: String?, company: String?, businessName: String, opensAt: String? = nil) -> String {
        // A visitor's value loses links, control and bidi characters, and is cut short.
        func fit(_ value: String?, _ placeholder: Placeholder, fallback: String) -> String {
            VisitorWords.forText(value, limit: placeholder.maxLength) ?? fallback
        }
        // One pass over the words: a lead's own value is never read for placeholders.
        var filled = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            filled += rest[..<open]
            switch Placeholder(rawValue: String(rest[rest.index(after: open)..<close])) {
            case .firstName: filled += fit(firstName, .firstName, fallback: "there")
            case .company: filled += fit(company, .company, fallback: "your company")
            case .businessName: filled += businessName
            case .opensAt: filled += opensAt ?? "our next opening"
            case nil: filled += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        filled += rest
        return filled.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
