import Foundation
import MailKit


/// What Admin > Forms posted for one form, checked: each problem a sentence under its field.
/// Field rows are `field_name_N`, `field_label_N`, `field_type_N`, `field_required_N`,
/// `field_options_N` and `field_suitedash_N`; a row without a name is left out.
struct FormSettingsInput {
    var name = ""
    var slug = ""
    var origins: [String] = []
    var thankYouURL: String?
    var tags: [String] = []
    var speedToLead = false
    var fields: [FormField] = []
    var fieldMap: [String: String] = [:]
    /// Turnstile or hCaptcha (issue #31); nil: none.
    var captchaProvider: CaptchaProvider?
    var captchaSiteKey: String?
    /// A secret typed in now; nil keeps the one saved (it is never shown again).
    var captchaSecret: String?
    /// Staff addresses for this form (empty: Admin > Email's).
    var alertEmailTo: [String] = []
    /// "on", "off" or nil (as Admin > Email says).
    var acknowledgement: String?
    var errors = FieldErrors()

    init(values: [String: String], isContact: Bool) {
        func text(_ key: String) -> String { TextSanitizer.singleLine(values[key] ?? "") }
        name = String(text("name").prefix(120))
        if name.isEmpty { errors["name"] = "Give the form a name people here will recognise, like “Website contact form”." }
        slug = isContact ? WebForm.contactSlug : text("slug").lowercased()
        if !WebForm.isValidSlug(slug) {
            errors["slug"] = "The address is lower-case letters, digits and dashes, like “quote-request” (at most \(WebForm.maxSlugLength))."
        }
        for line in (values["websites"] ?? "").split(whereSeparator: { $0 == "\n" || $0 == "," || $0 == "\r" }) {
            let typed = String(line)
            guard !typed.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            guard let origin = FormOrigins.normalize(typed) else {
                errors["websites"] = "“\(typed.prefix(80))” is not a website address; write each like https://www.example.com."
                continue
            }
            if !origins.contains(origin) { origins.append(origin) }
        }
        let thanks = text("thank_you_url")
        if !thanks.isEmpty {
            if let parts = URLComponents(string: thanks), ["http", "https"].contains(parts.scheme?.lowercased() ?? ""), parts.host != nil,
               thanks.count <= 500 {
                thankYouURL = thanks
            } else {
                errors["thank_you_url"] = "Write the thank-you page's full address, like https://www.example.com/thanks, or leave it empty for LeadBridge's own."
            }
        }
        captchaProvider = CaptchaProvider(rawValue: text("captcha_provider"))
        if let provider = captchaProvider {
            let siteKey = text("captcha_site_key")
            if Self.isPlausibleKey(siteKey) { captchaSiteKey = siteKey } else {
                errors["captcha_site_key"] = "Paste the site key from \(provider.displayName)'s dashboard (letters, digits, dashes; for a trial, its test key)."
            }
            let secret = text("captcha_secret")
            if !secret.isEmpty {
                if Self.isPlausibleKey(secret) { captchaSecret = secret } else {
                    errors["captcha_secret"] = "Paste the secret key from \(provider.displayName)'s dashboard, as it is there."
                }
            }
        }
        for typed in (values["alert_email_to"] ?? "").split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == "\r" || $0 == ";" }) {
            let address = typed.trimmingCharacters(in: .whitespaces)
            guard !address.isEmpty else { continue }
            guard let normalized = EmailAddress.normalize(address), (try? MailAddress(normalized)) != nil else {
                errors["alert_email_to"] = "“\(address.prefix(80))” is not an email address; write each like sales@example.com, separated by commas."
                continue
            }
            if !alertEmailTo.contains(normalized) { alertEmailTo.append(normalized) }
        }
        if alertEmailTo.count > 20 { errors["alert_email_to"] = "At most 20 addresses; a shared inbox or a list is the way to reach more." }
        acknowledgement = ["on", "off"].contains(text("acknowledgement")) ? text("acknowledgement") : nil
        tags = text("tags").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        speedToLead = ["on", "true", "1", "yes"].contains((values["speed_to_lead"] ?? "").lowercased())

        var seen = Set<String>()
        for index in 0..<(FormField.maxCount + 5) {
            let fieldName = text("field_name_\(index)").lowercased()
            guard !fieldName.isEmpty else { continue }
            let key = "field_\(index)"
            guard fields.count < FormField.maxCount else {
                errors[key] = "A form has at most \(FormField.maxCount) extra fields."
                break
            }
            if !FormField.isValidName(fieldName) {
                errors[key] = "“\(fieldName.prefix(40))”: a field's name is lower-case letters, digits and _, starting with a letter, like “budget”."
                continue
            }
            if FormField.reservedNames.contains(fieldName) {
                errors[key] = "“\(fieldName)” is one of the fields every form has already (or LeadBridge's own); choose another name."
                continue
            }
            if !seen.insert(fieldName).inserted {
                errors[key] = "Two fields are named “\(fieldName)”; each needs its own name."
                continue
            }
            let label = String(text("field_label_\(index)").prefix(120))
            let kind = FormField.Kind(rawValue: text("field_type_\(index)")) ?? .text
            let options = text("field_options_\(index)").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if kind == .choice && options.isEmpty {
                errors[key] = "“\(fieldName)” is a choice: list its options, separated by commas."
            }
            let required = ["on", "true", "1", "yes"].contains((values["field_required_\(index)"] ?? "").lowercased())
            fields.append(FormField(name: fieldName, label: label.isEmpty ? fieldName : label, kind: kind,
                                    required: required, options: kind == .choice ? options : []))
            let custom = text("field_suitedash_\(index)")
            if !custom.isEmpty { fieldMap[fieldName] = String(custom.prefix(100)) }
        }
    }

    func apply(to form: WebForm) {
        form.name = name
        form.slug = slug
        form.origins = origins
        form.thankYouURL = thankYouURL
        form.tags = tags
        form.speedToLead = speedToLead
        form.fields = fields
        form.fieldMap = fieldMap
        form.alertEmailTo = alertEmailTo
        form.acknowledgementChoice = acknowledgement
        form.captchaProviderName = captchaProvider?.rawValue
        form.captchaSiteKey = captchaProvider == nil ? nil : captchaSiteKey
        if captchaProvider == nil { form.sealedCaptchaSecret = nil }
    }

    /// Site keys and secrets are short runs of letters, digits, dashes and underscores
    /// (Turnstile's `0x4AAA…`, hCaptcha's UUID-like keys and `0x…` or `ES_…` secrets).
    static func isPlausibleKey(_ key: String) -> Bool {
        (8...200).contains(key.count) && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }
}
