import Foundation
import NIOConcurrencyHelpers
import Vapor

/// A faithful in-memory stand-in for SuiteDash's Secure API: the same paths under
/// `/secure-api`, the `X-Public-ID` / `X-Secret-Key` pair, the `{"success","data"}` envelope
/// and `{"success": false, "message"}` errors, PUT replacing tags, lists of 10 a page with
/// pagination meta. It counts calls per endpoint and can be slowed, broken or rate limited.
public final class SuiteDashSandbox: Sendable {
    public struct Contact: Sendable, Equatable {
        public var uid: String
        public var fields: [String: String]
        public var tags: [String]
        public var created: Date
    }

    public let publicID: String
    public let secretKey: String
    private let state = NIOLockedValueBox(State())

    private struct State {
        var contacts: [Contact] = []
        var calls: [String: Int] = [:]
        var switches = SandboxSwitches()
        /// SuiteDash does not document whether tags sent on create are kept; false makes clients prove they cope.
        var keepsTagsOnCreate = true
    }

    public init(publicID: String = "sandbox-public-id", secretKey: String = "sandbox-secret-key") {
        self.publicID = publicID
        self.secretKey = secretKey
    }

    // MARK: Inspection and switches

    public var contacts: [Contact] { state.withLockedValue { $0.contacts } }
    public var callsByEndpoint: [String: Int] { state.withLockedValue { $0.calls } }
    public var totalCalls: Int { state.withLockedValue { $0.calls.values.reduce(0, +) } }
    public var switches: SandboxSwitches {
        get { state.withLockedValue { $0.switches } }
        set { state.withLockedValue { $0.switches = newValue } }
    }
    public var keepsTagsOnCreate: Bool {
        get { state.withLockedValue { $0.keepsTagsOnCreate } }
        set { state.withLockedValue { $0.keepsTagsOnCreate = newValue } }
    }
    public func resetCalls() { state.withLockedValue { $0.calls = [:] } }

    // MARK: Routes

    /// Control routes for scripts: `GET /_sandbox/suitedash` (contacts and calls),
    /// `POST /_sandbox/suitedash/switches` (a JSON `SandboxSwitches`), `POST /_sandbox/suitedash/reset-calls`.
    public func registerControls(on routes: any RoutesBuilder) {
        let control = routes.grouped("_sandbox", "suitedash")
        control.get { _ in
            let contacts = self.contacts
            let emails = Set(contacts.compactMap { $0.fields["email"]?.lowercased() })
            return Self.jsonResponse(.ok, ["contacts": contacts.count, "distinctEmails": emails.count,
                                           "calls": self.callsByEndpoint, "totalCalls": self.totalCalls])
        }
        control.post("switches") { req -> Response in
            self.switches = try req.content.decode(SandboxSwitches.self)
            return Self.jsonResponse(.ok, ["ok": true])
        }
        control.post("reset-calls") { _ in
            self.resetCalls()
            return Self.jsonResponse(.ok, ["ok": true])
        }
    }

    public func register(on routes: any RoutesBuilder) {
        let api = routes.grouped("secure-api")
        api.get("contact", "meta") { req in try await self.handle(req, "GET /contact/meta") { _ in self.meta() } }
        api.get("contact", ":id") { req in try await self.handle(req, "GET /contact/{id}") { self.show($0) } }
        api.post("contact") { req in try await self.handle(req, "POST /contact") { try self.create($0) } }
        api.put("contact", ":id") { req in try await self.handle(req, "PUT /contact/{id}") { try self.update($0) } }
        api.get("contacts") { req in try await self.handle(req, "GET /contacts") { self.list($0) } }
        for method in [HTTPMethod.DELETE, .PATCH] {
            api.on(method, "contact", ":id") { req in
                try await self.handle(req, "\(method.rawValue) /contact/{id}") { _ in
                    Self.failure(.methodNotAllowed, "The \(method.rawValue) method is not supported for this route.")
                }
            }
        }
    }

    private func handle(_ req: Request, _ endpoint: String, _ body: @Sendable (Request) throws -> Response) async throws -> Response {
        let switches = state.withLockedValue { state in
            state.calls[endpoint, default: 0] += 1
            return state.switches
        }
        if switches.latencyMilliseconds > 0 {
            try await Task.sleep(nanoseconds: UInt64(switches.latencyMilliseconds) * 1_000_000)
        }
        if switches.outage { return Self.failure(.serviceUnavailable, "Service Unavailable") }
        if let retryAfter = switches.rateLimitRetryAfter {
            let response = Self.failure(.tooManyRequests, "Too Many Attempts.")
            response.headers.replaceOrAdd(name: "Retry-After", value: String(retryAfter))
            return response
        }
        if switches.failureRate > 0, Double.random(in: 0..<1) < switches.failureRate {
            return Self.failure(.internalServerError, "Server Error")
        }
        guard req.headers.first(name: "X-Public-ID") == publicID, req.headers.first(name: "X-Secret-Key") == secretKey else {
            return Self.failure(.unauthorized, "Unauthenticated.")
        }
        if let message = switches.validationMessage, req.method == .POST || req.method == .PUT {
            return Self.failure(.unprocessableEntity, message)
        }
        return try body(req)
    }

    private func meta() -> Response {
        Self.success(.ok, ["fields": [
            ["name": "first_name", "type": "text"], ["name": "last_name", "type": "text"], ["name": "email", "type": "email"],
            ["name": "role", "type": "select", "options": ["Lead", "Prospect", "Client"]], ["name": "phone", "type": "text"],
            ["name": "company_name", "type": "text"], ["name": "background_info", "type": "textarea"], ["name": "tags", "type": "tags"],
        ], "custom_fields": [] as [Any]])
    }

    private func show(_ req: Request) -> Response {
        guard let contact = find(req.parameters.get("id") ?? "") else { return Self.failure(.notFound, "Contact not found.") }
        return Self.success(.ok, Self.json(contact))
    }

    private func create(_ req: Request) throws -> Response {
        guard let body = Self.object(req) else { return Self.failure(.unprocessableEntity, "The given data was invalid.") }
        let role = (body["role"] as? String) ?? "Lead"
        guard ["Lead", "Prospect", "Client"].contains(role) else {
            return Self.failure(.unprocessableEntity, "The selected role is invalid.")
        }
        guard let first = body["first_name"] as? String, !first.isEmpty else {
            return Self.failure(.unprocessableEntity, "The first name field is required.")
        }
        let email = body["email"] as? String
        if role != "Lead", email?.isEmpty ?? true {
            return Self.failure(.unprocessableEntity, "The email field is required unless role is Lead.")
        }
        if let email, !email.contains("@") { return Self.failure(.unprocessableEntity, "The email must be a valid email address.") }
        var fields = Self.textFields(body)
        fields["role"] = role
        let contact = state.withLockedValue { state -> Contact in
            let tags = state.keepsTagsOnCreate ? ((body["tags"] as? [String]) ?? []) : []
            let contact = Contact(uid: UUID().uuidString.lowercased(), fields: fields, tags: tags, created: Date())
            state.contacts.append(contact)
            return contact
        }
        return Self.success(.created, Self.json(contact))
    }

    private func update(_ req: Request) throws -> Response {
        guard let body = Self.object(req) else { return Self.failure(.unprocessableEntity, "The given data was invalid.") }
        let id = req.parameters.get("id") ?? ""
        let updated = state.withLockedValue { state -> Contact? in
            guard let index = state.contacts.firstIndex(where: { Self.matches($0, id) }) else { return nil }
            for (key, value) in body where Self.textKeys.contains(key) && key != "role" {
                if value is NSNull { state.contacts[index].fields[key] = nil }
                else if let text = value as? String { state.contacts[index].fields[key] = text }
            }
            if body["tags"] is NSNull { state.contacts[index].tags = [] }
            if let tags = body["tags"] as? [String] { state.contacts[index].tags = tags }  // PUT replaces tags
            return state.contacts[index]
        }
        guard let updated else { return Self.failure(.notFound, "Contact not found.") }
        return Self.success(.ok, Self.json(updated))
    }

    private func list(_ req: Request) -> Response {
        let page = max(1, (try? req.query.get(Int.self, at: "page")) ?? 1)
        let all = contacts
        let totalPages = max(1, (all.count + 9) / 10)
        let items = all.dropFirst((page - 1) * 10).prefix(10).map(Self.json)
        var pagination: [String: Any] = ["pageSize": 10, "totalPages": totalPages, "totalItems": all.count, "currentPageNumber": page]
        pagination["previousPage"] = page > 1 ? page - 1 : NSNull()
        pagination["nextPage"] = page < totalPages ? page + 1 : NSNull()
        return Self.success(.ok, Array(items), meta: ["pagination": pagination])
    }

    // MARK: Helpers

    private static let textKeys: Set<String> = [
        "first_name", "last_name", "email", "role", "phone", "home_phone", "work_phone", "company_name",
        "website", "title", "background_info",
    ]

    private func find(_ id: String) -> Contact? { state.withLockedValue { $0.contacts.first { Self.matches($0, id) } } }

    private static func matches(_ contact: Contact, _ id: String) -> Bool {
        contact.uid == id || (contact.fields["email"]?.lowercased() == id.lowercased() && !id.isEmpty)
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

    private static func json(_ contact: Contact) -> [String: Any] {
        var object: [String: Any] = contact.fields
        object["uid"] = contact.uid
        object["tags"] = contact.tags
        object["active"] = true
        object["created"] = ISO8601DateFormatter().string(from: contact.created)
        object["companies"] = contact.fields["company_name"].map { [["name": $0]] } ?? []
        object["circles"] = [] as [Any]
        return object
    }

    static func success(_ status: HTTPResponseStatus, _ data: Any, meta: [String: Any]? = nil) -> Response {
        var envelope: [String: Any] = ["success": true, "data": data]
        if let meta { envelope["meta"] = meta }
        return jsonResponse(status, envelope)
    }

    static func failure(_ status: HTTPResponseStatus, _ message: String) -> Response {
        jsonResponse(status, ["success": false, "message": message])
    }

    static func jsonResponse(_ status: HTTPResponseStatus, _ object: Any) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return Response(status: status, headers: ["Content-Type": "application/json"], body: .init(data: data))
    }
}
