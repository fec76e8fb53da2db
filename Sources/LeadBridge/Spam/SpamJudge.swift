import Foundation

/// Whether an enquiry that passed the rules is spam, and why, in a sentence kept with it.
/// Judged spam, an enquiry is still stored (Enquiries > Spam), never synced, exported, alerted
/// or texted until a person says "Not spam".
struct SpamJudge {
    /// `FORM_MIN_SECONDS` (0: off).
    let minSeconds: Int
    let rules: [SpamRule]

    struct Evidence {
        var honeypot: String?
        var timestamp: FormTimestamp.Reading = .absent
        var ip: String?
        var now: Date
    }

    func reason(for enquiry: ValidEnquiry, _ evidence: Evidence) -> String? {
        if let honeypot = evidence.honeypot, !honeypot.trimmingCharacters(in: .whitespaces).isEmpty {
            return "The hidden field that bots fill in (website) was filled."
        }
        switch evidence.timestamp {
        case .forged:
            return "The form's timestamp (_ts) was not one LeadBridge wrote."
        case .rendered(let shown) where minSeconds > 0:
            let seconds = evidence.now.timeIntervalSince(shown)
            if seconds < Double(minSeconds) {
                return "Sent \(max(0, Int(seconds.rounded(.down)))) s after the form was shown; people take at least \(minSeconds) s (FORM_MIN_SECONDS)."
            }
        default:
            break
        }
        let text = ([enquiry.firstName, enquiry.lastName, enquiry.company, enquiry.message].compactMap { $0 }
            + enquiry.extras.map(\.value)).joined(separator: "\n").lowercased()
        let address = evidence.ip.flatMap { IPAddress($0) }
        for rule in rules {
            switch rule.kind {
            case .phrase:
                if text.contains(rule.value) { return "It contains “\(rule.value)” (a rule in Admin > Spam)." }
            case .links:
                let limit = Int(rule.value) ?? 0
                let links = Self.links(in: text)
                if links > limit { return "It has \(links) links; more than \(limit) is spam (a rule in Admin > Spam)." }
            case .emailDomain:
                if let domain = enquiry.email?.split(separator: "@").last.map(String.init),
                   domain == rule.value || domain.hasSuffix("." + rule.value) {
                    return "Its email is at \(rule.value) (a rule in Admin > Spam)."
                }
            case .email:
                if enquiry.email == rule.value { return "Its email, \(rule.value), is blocked (a rule in Admin > Spam)." }
            case .network:
                if let address, let block = CIDR(rule.value), block.contains(address) {
                    return "It came from \(evidence.ip ?? ""), in \(rule.value) (a rule in Admin > Spam)."
                }
            }
        }
        return nil
    }

    /// Links as people and bots write them: http://, https:// and www.
    static func links(in text: String) -> Int {
        ["http://", "https://", "www."].reduce(0) { count, marker in
            count + text.components(separatedBy: marker).count - 1
        } - text.components(separatedBy: "://www.").count + 1
    }
}
