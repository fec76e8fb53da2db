/// The intake rules, in one place. People read them in docs/integration-guide.md ("The contact form and the JSON intake").
struct EnquiryValidator {
    let settings: IntakeSettings
    /// The texting consent's words as the form shows them (`SpeedToLeadService.smsConsentWords`),
    /// kept with an enquiry that ticked it when its site sent no words of its own.
    var smsConsentText: String = SpeedToLeadSettings.defaultSMSConsent

    /// Longest accepted value per field, in characters.
    static let maxLengths: [String: Int] = [
        "first_name": 100, "last_name": 100, "email": 254, "phone": 32, "company": 200,
        "service_interest": 100, "message": 5000, "source": 100, "consent_text": 1000, "sms_consent_text": 1000,
    ]

    /// `fields`: the extra fields of the form it came through (none for the contact fields alone).
    func validate(_ input: ContactInput, fields: [FormField] = []) -> Validated<ValidEnquiry> {
        var errors = FieldErrors()
        func clean(_ value: String?, _ field: String, multiLine: Bool = false) -> String? {
            guard let value else { return nil }
            let text = multiLine ? TextSanitizer.multiLine(value) : TextSanitizer.singleLine(value)
            // Characters never outnumber UTF-8 bytes, so counting characters is rarely needed.
            if let max = Self.maxLengths[field], text.utf8.count > max, text.count > max {
                errors[field] = "Keep this under \(max.formatted()) characters (it has \(text.count.formatted()))."
            }
            return text.isEmpty ? nil : text
        }

        let firstName = clean(input.firstName, "first_name")
        let lastName = clean(input.lastName, "last_name")
        let rawEmail = clean(input.email, "email")
        let rawPhone = clean(input.phone, "phone")
        let company = clean(input.company, "company")
        let interest = clean(input.serviceInterest, "service_interest")
        let message = clean(input.message, "message", multiLine: true)
        let source = clean(input.source, "source") ?? "website"
        // What the visitor agreed to, kept with the enquiry: their site's words, or the form's.
        let consentText = clean(input.consentText, "consent_text", multiLine: true) ?? settings.consentText
        let smsConsentText = clean(input.smsConsentText, "sms_consent_text", multiLine: true) ?? self.smsConsentText

        if firstName == nil { errors["first_name"] = "Tell us your first name." }

        var email: String?
        if let rawEmail, errors["email"] == nil {
            email = EmailAddress.normalize(rawEmail)
            if email == nil { errors["email"] = "This doesn't look like an email address; check it reads like name@example.com." }
        }
        var phone: String?
        if let rawPhone, errors["phone"] == nil {
            switch PhoneNumberNormalizer.normalize(rawPhone, defaultCountry: settings.defaultCountry) {
            case .success(let number): phone = number
            case .failure(.notDigits): errors["phone"] = "Use digits only, like +1 415 555 0100."
            case .failure(.impossible):
                errors["phone"] = "This can't be a real phone number; include the country code, like +44 20 7946 0958."
            }
        }
        if rawEmail == nil && rawPhone == nil {
            errors["email"] = "Give us an email address or a phone number so we can reply."
        }
        if let interest, errors["service_interest"] == nil, !settings.serviceInterests.contains(interest) {
            errors["service_interest"] = "Choose one of the listed services."
        }
        if settings.consentRequired && !input.consent {
            errors["consent"] = "Tick the box to let us contact you about your enquiry."
        }

        let extras = ExtraFieldRules(fields: fields).validate(input.extras.map { ($0.name, $0.value) }, errors: &errors)

        guard errors.isEmpty, let firstName else { return .invalid(errors) }
        return .valid(ValidEnquiry(
            firstName: firstName, lastName: lastName, email: email, phone: phone, company: company,
            serviceInterest: interest, message: message, source: source, consent: input.consent,
            consentText: input.consent ? consentText : nil,
            // Texting consent needs a number to text; without one the tick means nothing.
            smsConsent: input.smsConsent && phone != nil, smsConsentText: input.smsConsent && phone != nil ? smsConsentText : nil,
            extras: extras, attribution: input.attribution,
            lastTouch: input.lastTouch == input.attribution ? Attribution() : input.lastTouch))
    }
}

/// An enquiry that passed every rule: trimmed, sanitised, email lower-cased, phone in E.164.
struct ValidEnquiry: Sendable, Equatable {
    var firstName: String
    var lastName: String?
    var email: String?
    var phone: String?
    var company: String?
    var serviceInterest: String?
    var message: String?
    var source: String
    var consent: Bool
    /// The words agreed to; nil without consent.
    var consentText: String? = nil
    /// The separate texting consent, and its words (nil without it).
    var smsConsent: Bool = false
    var smsConsentText: String? = nil
    var extras: [ExtraFieldValue] = []
    var attribution = Attribution()
    var lastTouch = Attribution()
    /// The form it came through; set by the intake path, not by the rules.
    var formID: Int? = nil
    /// Why it is spam (`SpamJudge`), when it is: stored with the status `spam`.
    var spamReason: String? = nil
}

/// One human sentence per field that needs attention, keyed by the field's name.
typealias FieldErrors = [String: String]

/// The outcome of checking input against rules.
enum Validated<Value> {
    case valid(Value)
    case invalid(FieldErrors)
}
