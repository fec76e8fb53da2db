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
    /// The separate, optional texting consent (issue #33): JSON's `sms_consent`, the form's
    /// unchecked box. Only a lead who gave it gets an instant reply by text.
    var smsConsent: Bool
    /// The texting consent's words from a headless site with a label of its own (`sms_consent_text`);
    /// the HTML form's is Speed to lead's (`SpeedToLeadService.smsConsentWords`).
    var smsConsentText: String?
    /// The honeypot: hidden from people, so anything in it came from a bot.
    var website: String?
    /// Every other field the website sent, in its order: a form's extra fields and unknown keys
    /// (checked by `ExtraFieldRules`, never dropped silently).
    var extras: [RawField] = []
    /// Where the lead came from (first touch), and the last touch when the site sent it.
    var attribution = Attribution()
    var lastTouch = Attribution()
    /// `_ts`: when LeadBridge rendered the form, signed (`FormTimestamp`).
    var formTimestamp: String?
    /// The captcha widget's token (issue #31): JSON's `captcha_token`, a form's
    /// `cf-turnstile-response` or `h-captcha-response` as the widgets name it.
    var captchaToken: String?

    enum CodingKeys: String, CodingKey {
        case firstName = "first_name", lastName = "last_name", email, phone, company
        case serviceInterest = "service_interest", message, source, consent, website
        case consentText = "consent_text"
        case smsConsent = "sms_consent", smsConsentText = "sms_consent_text"
        case captchaToken = "captcha_token"
    }

    init(firstName: String? = nil, lastName: String? = nil, email: String? = nil, phone: String? = nil,
         company: String? = nil, serviceInterest: String? = nil, message: String? = nil,
         source: String? = nil, consent: Bool = false, consentText: String? = nil, smsConsent: Bool = false, smsConsentText: String? = nil,
         website: String? = nil) {
        self.firstName = firstName; self.lastName = lastName; self.email = email; self.phone = phone
        self.company = company; self.serviceInterest = serviceInterest; self.message = message
        self.source = source; self.consent = consent; self.consentText = consentText; self.website = website
        self.smsConsent = smsConsent; self.smsConsentText = smsConsentText
    }

    /// A field as posted, before any rule: its name and its text.
    struct RawField: Codable, Sendable, Equatable {
        var name: String
        var value: String
    }

    /// From a plain form post's fields (`FormBody`): the contact fields by name, attribution,
    /// `last_touch` (JSON from `embed.js`), and the rest as extras.
    init(fields: [(name: String, value: String)]) {
        self.init()
        var attributionRaw: [String: String] = [:]
        for (name, value) in fields {
            switch name {
            case "first_name": firstName = value
            case "last_name": lastName = value
            case "email": email = value
            case "phone": phone = value
            case "company": company = value
            case "service_interest": serviceInterest = value
            case "message": message = value
            case "source": source = value
            case "consent": consent = consent || ["on", "true", "yes", "1"].contains(value.lowercased())
            case "consent_text": consentText = value
            case "sms_consent": smsConsent = smsConsent || ["on", "true", "yes", "1"].contains(value.lowercased())
            case "sms_consent_text": smsConsentText = value
            case "website": website = value
            case "last_touch": lastTouch = Attribution.fromJSON(value)
            case "_ts": formTimestamp = value
            case "captcha_token", "cf-turnstile-response", "h-captcha-response":
                if !value.isEmpty { captchaToken = value }
            case _ where Attribution.Key(rawValue: name) != nil: attributionRaw[name] = value
            case _ where FormField.reservedNames.contains(name): break
            default: extras.append(RawField(name: name, value: value))
            }
        }
        attribution = Attribution(raw: attributionRaw)
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
        smsConsentText = try optionalText(.smsConsentText)
        captchaToken = try optionalText(.captchaToken)
        consent = Self.flag(container, .consent)
        smsConsent = Self.flag(container, .smsConsent)
    }

    /// A checkbox posts "on"; JSON sends true. Both mean yes; anything else, or nothing, no.
    private static func flag(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) -> Bool {
        if let flag = try? container.decodeIfPresent(Bool.self, forKey: key) { return flag }
        if let word = try? container.decodeIfPresent(String.self, forKey: key) {
            return ["on", "true", "yes", "1"].contains(word.lowercased())
        }
        // A WordPress add-on's ticked box (1).
        if let number = try? container.decodeIfPresent(Int.self, forKey: key) {
            return number == 1
        }
        return false
    }
}
