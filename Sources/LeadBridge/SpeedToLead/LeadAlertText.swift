import Foundation

/// The words of a staff alert: who, what about, the start of their message, and where to
/// open it. Always well under RingCentral's 1,000-unit limit.
enum LeadAlertText {
    static func single(_ enquiry: Enquiry, appURL: String) -> String {
        var text = "New enquiry: " + name(enquiry)
        if let interest = enquiry.serviceInterest { text += ", " + clip(interest, 60) }
        if let message = enquiry.message, !message.isEmpty { text += ": \u{201C}" + clip(message, 90) + "\u{201D}" }
        return text + "\n" + base(appURL) + AdminURL.enquiry(.value(enquiry.id ?? 0)).path
    }

    /// The minute's enquiries after an alert, in one text: the first ten by name, then a count.
    static func summary(_ enquiries: [Enquiry], appURL: String) -> String {
        "\(enquiries.count) more new \(enquiries.count == 1 ? "enquiry" : "enquiries") in the last minute: "
            + listing(enquiries) + ".\n" + base(appURL) + AdminURL.enquiries.path
    }

    /// The enquiries held while the hour's alerts were at the cap, in one text that says so.
    static func heldSummary(_ enquiries: [Enquiry], cap: Int, appURL: String) -> String {
        "\(enquiries.count) new \(enquiries.count == 1 ? "enquiry was" : "enquiries were") held: staff alerts had reached \(cap) this hour. "
            + listing(enquiries) + ".\n" + base(appURL) + AdminURL.enquiries.path
    }

    /// The enquiries that came while the office was closed, in one text at opening.
    static func closedSummary(_ enquiries: [Enquiry], appURL: String) -> String {
        "\(enquiries.count) new \(enquiries.count == 1 ? "enquiry" : "enquiries") while you were closed: "
            + listing(enquiries) + ".\n" + base(appURL) + AdminURL.enquiries.path
    }

    /// The first ten by name (and interest), then how many more.
    private static func listing(_ enquiries: [Enquiry]) -> String {
        let listed = enquiries.prefix(10).map { enquiry in
            name(enquiry) + (enquiry.serviceInterest.map { " (" + clip($0, 40) + ")" } ?? "")
        }
        var text = listed.joined(separator: "; ")
        if enquiries.count > listed.count { text += "; and \(enquiries.count - listed.count) more" }
        return text
    }

    private static func name(_ enquiry: Enquiry) -> String { clip(enquiry.fullName, 60) }

    private static func base(_ appURL: String) -> String { appURL.hasSuffix("/") ? String(appURL.dropLast()) : appURL }

    /// The first words, on one line, cut at a word within `limit` characters, with any web
    /// address replaced by "[link]" and control and bidi characters gone: what a visitor typed
    /// is quoted to staff phones, which make every address a tap, and a spammer's link must not
    /// arrive looking like ours.
    static func clip(_ text: String, _ limit: Int) -> String {
        let line = VisitorWords.withoutLinks(VisitorWords.plain(text))
        guard line.count > limit else { return line }
        let cut = line.prefix(limit)
        let word = cut.lastIndex(of: " ").map { cut[..<$0] } ?? cut
        return word.trimmingCharacters(in: .whitespaces) + "\u{2026}"
    }
}
