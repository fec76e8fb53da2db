import Foundation
import Vapor

/// `GET /contact/meta`: the contact schema, each field with its `field_name` and whether it is
/// `required`, the address and the account's custom fields under `properties`. Served without
/// the `data` envelope, as bit-integrations reads it (it iterates the body's own keys).
extension SuiteDashSandbox {
    /// What a consultancy's account might define; keys are UIDs, as public clients show them.
    public static let defaultCustomFields = [
        CustomField(key: "6f1d2c4e-5a0b-4c51-9a52-1b7e0c3d9a10", label: "Service Interest"),
        CustomField(key: "8b3e7a90-2f4d-4e6b-8c1a-5d9f0e2b7c21", label: "Lead Source"),
        CustomField(key: "1c9a4f2b-7e3d-4a8c-b6e5-0f2d8c4a6b32", label: "Enquiry Message", type: "textarea"),
        CustomField(key: "a4e2b8c6-3d1f-4b7a-9e0c-6f8d2a4c1e43", label: "Consent Given At"),
        CustomField(key: "d7f1c3a5-9b2e-4f6d-8a0c-3e5b7d9f1a54", label: "LeadBridge Link", type: "url"),
    ]

    func meta() -> Response {
        func field(_ name: String, required: Bool = false, type: String = "string") -> [String: Any] {
            ["field_name": name, "required": required, "type": type]
        }
        let address: [String: Any] = ["field_name": "Address", "required": false, "type": "object", "properties": [
            "address_line_1": field("Address Line 1"), "address_line_2": field("Address Line 2"), "city": field("City"),
            "state": field("State"), "zip": field("Zip"), "country": field("Country"),
        ]]
        var custom: [String: Any] = [:]
        for definition in customFields {
            custom[definition.key] = ["field_name": definition.label, "required": false, "type": definition.type]
        }
        let schema: [String: Any] = [
            "uid": field("UID"), "name_prefix": field("Prefix"),
            "first_name": field("First Name", required: true), "last_name": field("Last Name", required: true),
            "email": field("Email", type: "email"), "role": field("Role", required: true),
            "phone": field("Phone"), "home_phone": field("Home Phone"), "work_phone": field("Work Phone"),
            "website": field("Website"), "title": field("Title"), "background_info": field("Background Info"),
            "active": field("Active", type: "boolean"), "created": field("Created", type: "datetime"),
            "tags": field("Tags", type: "array"), "company": field("Company", type: "object"),
            "companies": field("Companies", type: "array"), "circles": field("Circles", type: "object"),
            "address": address,
            "custom_fields": ["field_name": "Custom Fields", "required": false, "type": "object", "properties": custom] as [String: Any],
        ]
        return Self.jsonResponse(.ok, schema)
    }
}
