import Foundation

/// An extra field of a form, beyond the contact fields every form has: what an admin set in
/// Admin > Forms. Stored as JSON in `forms.fields`.
struct FormField: Codable, Sendable, Equatable {
    enum Kind: String, Codable, CaseIterable, Sendable {
        case text, longText = "long_text", choice, checkbox, date

        var label: String {
            switch self {
            case .text: "Text"
            case .longText: "Long text"
            case .choice: "Choice"
            case .checkbox: "Checkbox"
            case .date: "Date"
            }
        }
    }

    var name: String
    var label: String
    var kind: Kind
    var required: Bool
    /// A choice's options, in order.
    var options: [String]

    enum CodingKeys: String, CodingKey { case name, label, kind = "type", required, options }

    init(name: String, label: String, kind: Kind, required: Bool = false, options: [String] = []) {
        self.name = name; self.label = label; self.kind = kind; self.required = required; self.options = options
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        label = try container.decode(String.self, forKey: .label)
        kind = try container.decode(Kind.self, forKey: .kind)
        required = try container.decodeIfPresent(Bool.self, forKey: .required) ?? false
        options = try container.decodeIfPresent([String].self, forKey: .options) ?? []
    }

    static let maxCount = 20
    static let maxValueLength = 2000
    static let maxNameLength = 40

    /// Names a form field cannot take: the contact fields, attribution, and what LeadBridge's
    /// own scripts and the spam checks post.
    static let reservedNames: Set<String> = Set([
        "first_name", "last_name", "email", "phone", "company", "service_interest", "message", "source",
        "consent", "consent_text", "sms_consent", "sms_consent_text", "website", "extra", "last_touch", "csrf", "_csrf",
        "_next", "_ts", "_form", "captcha_token", "cf-turnstile-response", "h-captcha-response", "g-recaptcha-response",
    ] + Attribution.Key.allCases.map(\.rawValue))

    /// A field name people can type and HTML can carry: lower-case letters, digits and `_`.
    static func isValidName(_ name: String) -> Bool {
        (1...maxNameLength).contains(name.count) && name.first?.isLetter == true
            && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
    }
}

/// One extra field's value as stored with an enquiry (`contact_submissions.extra_fields`, JSON).
struct ExtraFieldValue: Codable, Sendable, Equatable {
    var name: String
    var label: String
    var value: String

    static func encode(_ values: [ExtraFieldValue]) -> String? {
        guard !values.isEmpty else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(values)).flatMap { String(data: $0, encoding: .utf8) }
    }

    static func decode(_ text: String?) -> [ExtraFieldValue] {
        guard let text, let data = text.data(using: .utf8) else { return [] }
        return (try? JSONDecoder().decode([ExtraFieldValue].self, from: data)) ?? []
    }
}
