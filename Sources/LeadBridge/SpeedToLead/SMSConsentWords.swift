import Fluent
import Foundation

/// The texting consent's words, as every form shows them: Speed to lead's text with the
/// business's name filled in. Carrier registration (A2P 10DLC) reviews these words: they must
/// name the brand and say how often, that rates may apply, and how to stop and get help, and the
/// box must start unticked (RingCentral's TCR guidance, see docs/integration-guide.md).
enum SMSConsentWords {
    /// What a form shows and an enquiry that ticked it keeps.
    static func render(_ template: String, businessName: String) -> String {
        let name = businessName.isEmpty ? "us" : businessName
        return template.replacingOccurrences(of: "{business_name}", with: name)
    }

    /// Nil when the words say what a campaign review asks; else a sentence naming what is missing.
    static func problem(_ text: String, setting: String) -> String? {
        if text.count > 1000 { return "\(setting) is \(text.count) characters; keep it under 1,000." }
        var missing: [String] = []
        if text.range(of: "STOP", options: .caseInsensitive) == nil { missing.append("how to opt out (Reply STOP)") }
        if text.range(of: "HELP", options: .caseInsensitive) == nil { missing.append("how to get help (HELP)") }
        if text.range(of: "rates may apply", options: .caseInsensitive) == nil { missing.append("\"Msg & data rates may apply\"") }
        if text.range(of: "frequency", options: .caseInsensitive) == nil { missing.append("the message frequency") }
        guard !missing.isEmpty else { return nil }
        return "\(setting) must say \(missing.joined(separator: ", ")): carriers refuse a texting campaign whose opt-in does not."
    }
}

extension SpeedToLeadService {
    /// The texting consent's words as forms show them now: the one function every form (the
    /// contact page, `/f/…`, embed.js) calls, so all of them ask the same words.
    func smsConsentWords(on db: any Database) async throws -> String {
        let settings = try await settings(on: db).load()
        return SMSConsentWords.render(settings.smsConsentText, businessName: settings.businessName)
    }
}
