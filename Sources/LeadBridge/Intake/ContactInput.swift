import Vapor

/// An enquiry exactly as it arrived, from the HTML form or the JSON endpoint, before any checks.
struct ContactInput: Content {
    var firstName: String?
    var lastName: String?
    var email: String?
    var phone: String?
    var company: String?
    var serviceInterest: String?
    var message: String?
    var source: String?
    var consent: Bool
    /// The words the visitor agreed to, from a headless site with a label of its own (JSON's
    /// `consent_text`); the HTML form's label is the configured one.
    var consentText: String?
    /// The honeypot: hidden from people, so anything in it came from a bot.
    var website: String?

    enum CodingKeys: String, CodingKey {
        case firstName = "first_name", lastName = "last_name", email, phone, company
        case serviceInterest = "service_interest", message, source, consent, website
        case consentText = "consent_text"
    }

    init(firstName: String? = nil, lastName: String? = nil, email: String? = nil, phone: String? = nil,
         company: String? = nil, serviceInterest: String? = nil, message: String? = nil,
         source: String? = nil, consent: Bool = false, consentText: String? = nil, website: String? = nil) {
        self.firstName = firstName; self.lastName = lastName; self.email = email; self.phone = phone
        self.company = company; self.serviceInterest = serviceInterest; self.message = message
        self.source = source; self.consent = consent; self.consentText = consentText; self.website = website
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) throws -> String? {
            // Numbers are accepted for text fields (a phone sent as 4155550100 in JSON).
            if let string = try? container.decodeIfPresent(String.self, forKey: key) { return string }
            if let number = try? container.decodeIfPresent(Int64.self, forKey: key) { return String(number) }
            if try container.decodeNil(forKey: key) { return nil }
            throw DecodingError.typeMismatch(String.self, .init(codingPath: [key], debugDescription: "\(key.rawValue) must be text."))
        }
        func optionalText(_ key: CodingKeys) throws -> String? {
            container.contains(key) ? try text(key) : nil
        }
        firstName = try optionalText(.firstName)
        lastName = try optionalText(.lastName)
        email = try optionalText(.email)
        phone = try optionalText(.phone)
        company = try optionalText(.company)
        serviceInterest = try optionalText(.serviceInterest)
        message = try optionalText(.message)
        source = try optionalText(.source)
        website = try optionalText(.website)
        consentText = try optionalText(.consentText)
        // A checkbox posts "on"; JSON sends true. Both mean yes.
        if let flag = try? container.decodeIfPresent(Bool.self, forKey: .consent) {
            consent = flag
        } else if let word = try? container.decodeIfPresent(String.self, forKey: .consent) {
            consent = ["on", "true", "yes", "1"].contains(word.lowercased())
        } else {
            consent = false
        }
    }
}
