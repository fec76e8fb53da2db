import Vapor

/// The contact form's page, for `/contact` (with its CSRF token, in the site's layout) and for
/// a form's hosted page `/f/{slug}` (framed, no cookie): the contact fields, then the form's
/// extra fields, with what was typed and each field's error.
struct ContactFormPage {
    struct Option: Encodable { let name: String; let selected: Bool }
    struct Hidden: Encodable { let name: String; let value: String }
    struct Extra: Encodable {
        let name: String, label: String, required: Bool
        let isCheckbox: Bool, isChoice: Bool, isLongText: Bool, isDate: Bool
        let options: [Option]
        let value: String
        let checked: Bool
        let error: String?
    }
    struct Context: Encodable {
        let title: String
        let heading: String
        let action: String
        let csrf: String?
        let framed: Bool
        let hiddenFields: [Hidden]
        let options: [Option]
        let values: ContactInput
        let extras: [Extra]
        let errors: FieldErrors
        let hasErrors: Bool
        let consentRequired: Bool
        let consentText: String
        /// The texting consent's words (Speed to lead's), beside an unticked box.
        let smsConsentText: String
        let banner: String?
        /// The form's Turnstile or hCaptcha widget, when it has one.
        let captcha: CaptchaWidget?
    }

    let form: WebForm
    var action: String
    var csrf: String?
    var framed = false
    var hiddenFields: [Hidden] = []

    func render(_ req: Request, values: ContactInput, errors: FieldErrors, banner: String? = nil) async throws -> View {
        let settings = req.services.config.intake
        var shown = values
        shown.website = nil
        let typed = Dictionary(values.extras.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        let extras = form.fields.map { field in
            let value = typed[field.name] ?? ""
            return Extra(name: field.name, label: field.label, required: field.required,
                         isCheckbox: field.kind == .checkbox, isChoice: field.kind == .choice,
                         isLongText: field.kind == .longText, isDate: field.kind == .date,
                         options: field.options.map { Option(name: $0, selected: $0 == value) },
                         value: value, checked: ["on", "true", "yes", "1"].contains(value.lowercased()),
                         error: errors[field.name])
        }
        // When the form was shown, signed: one sent back within FORM_MIN_SECONDS is kept as spam.
        let stamp = Hidden(name: "_ts", value: FormTimestamp.make(req.services.clock.now(), secrets: req.services.secrets))
        let captcha = CaptchaWidget(form, settings: settings.captcha)
        if let provider = form.captcha?.provider { req.captchaSources = provider.contentSecurityOrigins(settings.captcha) }
        return try await req.view.render("contact/form", Context(
            title: framed ? form.name : "Contact us", heading: form.name, action: action, csrf: csrf, framed: framed,
            hiddenFields: [stamp] + hiddenFields,
            options: settings.serviceInterests.map { Option(name: $0, selected: $0 == values.serviceInterest) },
            values: shown, extras: extras, errors: errors, hasErrors: !errors.isEmpty,
            consentRequired: settings.consentRequired, consentText: settings.consentText,
            smsConsentText: try await req.services.speedToLead.smsConsentWords(on: req.db), banner: banner,
            captcha: captcha))
    }
}
