import Foundation
import Vapor

/// `GET /contact/{uid-or-email}`, `POST /contact`, `PUT /contact/{uid-or-email}` and `GET /contacts`.
extension SuiteDashSandbox {
    /// The plain text fields a contact keeps. Anything else in a request (a flat
    /// `company_name`, say) is ignored and never echoed, as public clients show SuiteDash doing.
    static let textKeys: Set<String> = [
        "first_name", "last_name", "email", "role", "phone", "home_phone", "work_phone", "website", "title",
        "background_info", "name_prefix",
    ]
    static let roles = ["Lead", "Prospect", "Client"]
    static let invalidData = "The given data was invalid."

    func show(_ req: Request) -> Response {
        let id = req.parameters.get("id") ?? ""
        guard let contact = state.withLockedValue({ $0.contacts.first { Self.matches($0, id) } }) else {
            return Self.failure(.notFound, "Contact not found.")
        }
        return Self.success(.ok, Self.json(contact))
    }

    func create(_ req: Request) -> Response {
        guard let body = Self.object(req) else { return Self.failure(.badRequest, "The request body is not a JSON object.") }
        var errors: [String: [String]] = [:]
        let role = body["role"] as? String
        if role?.isEmpty ?? true {
            errors["role"] = ["The role field is required."]
        } else if let role, !Self.roles.contains(role) {
            errors["role"] = ["The selected role is invalid."]
        }
        for (key, label) in [("first_name", "first name"), ("last_name", "last name")] where Self.blank(body[key]) {
            errors[key] = ["The \(label) field is required."]
        }
        let email = body["email"] as? String
        if role != "Lead" || switches.emailRequired, email?.isEmpty ?? true {
            errors["email"] = [switches.emailRequired ? "The email field is required." : "The email field is required unless role is Lead."]
        }
        if let email, !email.isEmpty, !email.contains("@") { errors["email"] = ["The email must be a valid email address."] }
        if !errors.isEmpty { return Self.failure(.unprocessableEntity, Self.invalidData, errors: errors) }

        let contact = state.withLockedValue { state -> Contact in
            var contact = Contact(uid: UUID().uuidString.lowercased(), fields: Self.textFields(body), tags: [], companies: [],
                                  circles: [], customFields: [:], created: Date())
            if state.keepsTagsOnCreate { contact.tags = (body["tags"] as? [String]) ?? [] }
            state.apply(company: body["company"], circles: body["circles"], customFields: body["custom_fields"], to: &contact)
            state.contacts.append(contact)
            return contact
        }
        return Self.success(.created, Self.json(contact))
    }

    func update(_ req: Request) -> Response {
        guard let body = Self.object(req) else { return Self.failure(.badRequest, "The request body is not a JSON object.") }
        var errors: [String: [String]] = [:]
        for (key, label) in [("first_name", "first name"), ("last_name", "last name")] where body[key] != nil && Self.blank(body[key]) {
            errors[key] = ["The \(label) field is required."]
        }
        if !errors.isEmpty { return Self.failure(.unprocessableEntity, Self.invalidData, errors: errors) }
        let id = req.parameters.get("id") ?? ""
        let updated = state.withLockedValue { state -> Contact? in
            guard let index = state.contacts.firstIndex(where: { Self.matches($0, id) }) else { return nil }
            var contact = state.contacts[index]
            // The role is set when the contact is created; public clients never change it with a PUT.
            for (key, value) in body where Self.textKeys.contains(key) && key != "role" {
                if value is NSNull { contact.fields[key] = nil } else if let text = value as? String { contact.fields[key] = text }
            }
            if body["tags"] is NSNull { contact.tags = [] }
            if let tags = body["tags"] as? [String] { contact.tags = tags }  // PUT replaces tags
            state.apply(company: body["company"], circles: body["circles"], customFields: body["custom_fields"], to: &contact)
            state.contacts[index] = contact
            return contact
        }
        guard let updated else { return Self.failure(.notFound, "Contact not found.") }
        return Self.success(.ok, Self.json(updated))
    }

    func list(_ req: Request) -> Response {
        let page = max(1, (try? req.query.get(Int.self, at: "page")) ?? 1)
        let all = contacts
        let totalPages = max(1, (all.count + 9) / 10)
        let items = all.dropFirst((page - 1) * 10).prefix(10).map(Self.json)
        // The real API's page links are full URLs (Fivetran's connector example shows one).
        let host = req.headers.first(name: .host) ?? "127.0.0.1"
        func link(_ page: Int) -> String { "http://\(host)/secure-api/contacts?page=\(page)" }
        let pagination: [String: Any] = [
            "pageSize": 10, "totalPages": totalPages, "totalItems": all.count, "currentPageNumber": page,
            "previousPage": page > 1 ? link(page - 1) : NSNull(),
            "nextPage": page < totalPages ? link(page + 1) : NSNull(),
        ]
        return Self.success(.ok, Array(items), meta: ["pagination": pagination])
    }

    // MARK: Helpers

    static func matches(_ contact: Contact, _ id: String) -> Bool {
        contact.uid == id || (!id.isEmpty && contact.fields["email"]?.lowercased() == id.lowercased())
    }

    private static func blank(_ value: Any?) -> Bool {
        ((value as? String) ?? "").trimmingCharacters(in: .whitespaces).isEmpty
    }

    private static func textFields(_ body: [String: Any]) -> [String: String] {
        var fields: [String: String] = [:]
        for (key, value) in body where textKeys.contains(key) { if let text = value as? String { fields[key] = text } }
        return fields
    }

    private static func object(_ req: Request) -> [String: Any]? {
        guard let buffer = req.body.data, let data = buffer.getData(at: buffer.readerIndex, length: buffer.readableBytes) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// A contact as the API shows it: known fields only, plus what SuiteDash adds.
    static func json(_ contact: Contact) -> [String: Any] {
        var object: [String: Any] = contact.fields
        object["uid"] = contact.uid
        object["tags"] = contact.tags
        object["active"] = true
        object["created"] = ISO8601DateFormatter().string(from: contact.created)
        object["companies"] = contact.companies.map { ["uid": uid(for: $0), "name": $0] }
        object["circles"] = contact.circles.map { ["uid": uid(for: $0), "name": $0] }
        object["custom_fields"] = contact.customFields.mapValues(\.jsonObject)
        return object
    }

    /// A stable uid for a company or circle name (the sandbox needs no other identity for them).
    private static func uid(for name: String) -> String {
        let digest = name.lowercased().unicodeScalars.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1.value)) &* 1_099_511_628_211 }
        return String(format: "%016llx", digest)
    }
}

extension SuiteDashSandbox.State {
    /// `company: {"name", "create_company_if_not_exists"}` joins the contact to the company
    /// (created only when asked); `circles: {"add": [...]}` adds circles; `custom_fields`
    /// replaces the stored values, keeping only keys the account defines.
    mutating func apply(company: Any?, circles: Any?, customFields: Any?, to contact: inout SuiteDashSandbox.Contact) {
        if let company = company as? [String: Any], let name = (company["name"] as? String)?.trimmingCharacters(in: .whitespaces),
           !name.isEmpty {
            let known = companyUIDs[name.lowercased()] != nil
            if known || (company["create_company_if_not_exists"] as? Bool) == true {
                if !known { companyUIDs[name.lowercased()] = UUID().uuidString.lowercased() }
                if !contact.companies.contains(where: { $0.lowercased() == name.lowercased() }) { contact.companies.append(name) }
            }
        }
        if let circles = circles as? [String: Any], let added = circles["add"] as? [String] {
            for name in added where !name.isEmpty && !contact.circles.contains(where: { $0.lowercased() == name.lowercased() }) {
                contact.circles.append(name)
            }
        }
        if let values = customFields as? [String: Any] {
            let defined = Set(self.customFields.map(\.key))
            var kept: [String: SuiteDashSandbox.FieldValue] = [:]
            for (key, value) in values where defined.contains(key) { kept[key] = SuiteDashSandbox.FieldValue(value) }
            contact.customFields = kept
        }
    }
}
