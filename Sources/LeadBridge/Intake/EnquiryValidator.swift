/// The intake rules, in one place. People read them in docs/integration-guide.md ("The contact form and the JSON intake").
struct EnquiryValidator {
    let settings: IntakeSettings

    /// Longest accepted value per field, in characters.
    static let maxLengths: [String: Int] = [
        "first_name": 100, "last_name": 100, "email": 254, "phone": 32, "company": 200,
        "service_interest": 100, "message": 5000, "source": 100, "consent_text": 1000,
    ]

    func validate(_ input: ContactInput) -> Validated<ValidEnquiry> {
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

        guard errors.isEmpty, let firstName else { return .invalid(errors) }
        return .valid(ValidEnquiry(
            firstName: firstName, lastName: lastName, email: email, phone: phone, company: company,
            serviceInterest: interest, message: message, source: source, consent: input.consent,
            consentText: input.consent ? consentText : nil))
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
}

/// One human sentence per field that needs attention, keyed by the field's name.
typealias FieldErrors = [String: String]

/// The outcome of checking input against rules.
enum Validated<Value> {
    case valid(Value)
    case invalid(FieldErrors)
}
