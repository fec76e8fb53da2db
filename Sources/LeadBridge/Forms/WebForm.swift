import Fluent
import Foundation

/// A website form that posts to LeadBridge (`/f/{slug}`): Admin > Forms. The contact page is the
/// form `contact`; its contact fields and consent follow the INTAKE_* settings like every form's.
final class WebForm: Model, @unchecked Sendable {
    static let schema = "forms"
    static let contactSlug = "contact"
    static let maxSlugLength = 60

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    /// One origin per line, as `FormOrigins` writes them.
    @Field(key: "origins") var originsText: String
    @OptionalField(key: "thank_you_url") var thankYouURL: String?
    @Field(key: "fields") var fieldsJSON: String
    @Field(key: "tags") var tagsText: String
    @Field(key: "field_map") var fieldMapJSON: String
    @Field(key: "speed_to_lead") var speedToLead: Bool
    /// Turnstile or hCaptcha on this form (issue #31); nil: none.
    @OptionalField(key: "captcha_provider") var captchaProviderName: String?
    @OptionalField(key: "captcha_site_key") var captchaSiteKey: String?
    /// Sealed under APP_KEY with `captchaSecretContext`; never shown again once saved.
    @OptionalField(key: "captcha_secret") var sealedCaptchaSecret: String?
    /// Staff addresses for this form's enquiries, comma-separated; nil or empty: Admin > Email's.
    @OptionalField(key: "alert_email_to") var alertEmailToText: String?
    /// "on" or "off": this form's leads get the acknowledgement or not; nil: as Admin > Email says.
    @OptionalField(key: "acknowledgement") var acknowledgementChoice: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(slug: String, name: String) {
        self.slug = slug; self.name = name; originsText = ""; fieldsJSON = "[]"; tagsText = ""
        fieldMapJSON = "{}"; speedToLead = true
    }

    var origins: [String] {
        get { originsText.split(separator: "\n").map(String.init).filter { !$0.isEmpty } }
        set { originsText = newValue.joined(separator: "\n") }
    }

    var fields: [FormField] {
        get { (fieldsJSON.data(using: .utf8)).flatMap { try? JSONDecoder().decode([FormField].self, from: $0) } ?? [] }
        set { fieldsJSON = (try? String(data: JSONEncoder().encode(newValue), encoding: .utf8)) ?? "[]" }
    }

    var tags: [String] {
        get { tagsText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        set { tagsText = newValue.joined(separator: ", ") }
    }

    /// Extra field name (or attribution key) → SuiteDash custom field key.
    var fieldMap: [String: String] {
        get { (fieldMapJSON.data(using: .utf8)).flatMap { try? JSONDecoder().decode([String: String].self, from: $0) } ?? [:] }
        set {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            fieldMapJSON = (try? String(data: encoder.encode(newValue), encoding: .utf8)) ?? "{}"
        }
    }

    var alertEmailTo: [String] {
        get { (alertEmailToText ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        set { alertEmailToText = newValue.isEmpty ? nil : newValue.joined(separator: ", ") }
    }

    /// Whether this form's leads get the acknowledgement: true or false when the form says, nil
    /// when Admin > Email decides.
    var acknowledges: Bool? {
        switch acknowledgementChoice {
        case "on": true
        case "off": false
        default: nil
        }
    }

    /// The captcha in force: a provider with both keys, or nil.
    var captcha: (provider: CaptchaProvider, siteKey: String, sealedSecret: String)? {
        guard let provider = captchaProviderName.flatMap(CaptchaProvider.init(rawValue:)),
              let siteKey = captchaSiteKey, !siteKey.isEmpty, let secret = sealedCaptchaSecret, !secret.isEmpty else { return nil }
        return (provider, siteKey, secret)
    }

    /// What the secret is sealed under: a sealed value moved to another column does not open.
    static let captchaSecretContext = "forms.captcha_secret"

    static func find(slug: String, on db: any Database) async throws -> WebForm? {
        try await WebForm.query(on: db).filter(\.$slug == slug).first()
    }

    /// The contact page's form; made again if someone deleted its row by hand.
    static func contact(on db: any Database) async throws -> WebForm {
        if let form = try await find(slug: contactSlug, on: db) { return form }
        let form = WebForm(slug: contactSlug, name: "Contact page")
        try await form.create(on: db)
        return form
    }

    static func isValidSlug(_ slug: String) -> Bool {
        (1...maxSlugLength).contains(slug.count) && slug.first.map { $0.isLetter || $0.isNumber } == true
            && slug.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }
}
