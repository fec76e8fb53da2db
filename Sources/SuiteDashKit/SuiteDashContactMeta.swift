import Foundation

/// `GET /contact/meta`: the contact schema. What matters to LeadBridge is the account's own
/// custom fields, listed under `custom_fields.properties` with a `field_name` each (the way
/// bit-integrations reads them); each key there is what a contact's `custom_fields` takes.
public struct SuiteDashContactMeta: Sendable, Equatable {
    public struct CustomField: Sendable, Equatable, Codable {
        public var key: String
        public var label: String
        public var required: Bool
        public init(key: String, label: String, required: Bool = false) { self.key = key; self.label = label; self.required = required }
    }

    /// Sorted by label, for people to choose from.
    public var customFields: [CustomField]
    /// Top-level fields the schema marks required (like first_name, last_name, role).
    public var requiredFields: [String]

    public init(customFields: [CustomField], requiredFields: [String] = []) {
        self.customFields = customFields
        self.requiredFields = requiredFields
    }

    /// Reads the schema whether or not it comes inside the `data` envelope: public clients read
    /// it bare, but nothing public shows a raw answer, so both are accepted.
    static func parse(_ data: Data) throws -> SuiteDashContactMeta {
        guard var schema = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw SuiteDashError.unexpectedResponse("the contact schema is not a JSON object")
        }
        if let inner = schema["data"] as? [String: Any], schema["custom_fields"] == nil, schema["first_name"] == nil {
            schema = inner
        }
        var fields: [CustomField] = []
        if let custom = schema["custom_fields"] as? [String: Any], let properties = custom["properties"] as? [String: Any] {
            for (key, value) in properties {
                let property = value as? [String: Any]
                let label = (property?["field_name"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? key
                fields.append(CustomField(key: key, label: label, required: property?["required"] as? Bool ?? false))
            }
        }
        fields.sort { ($0.label.lowercased(), $0.key) < ($1.label.lowercased(), $1.key) }
        let required = schema.compactMap { key, value in ((value as? [String: Any])?["required"] as? Bool) == true ? key : nil }.sorted()
        return SuiteDashContactMeta(customFields: fields, requiredFields: required)
    }
}
