import Foundation
import NIOConcurrencyHelpers
import Vapor

/// An in-memory stand-in for SuiteDash's Secure API, built from what public integrations
/// show of the real one (docs/providers.md lists each fact and its source): the same paths
/// under `/secure-api`, the `X-Public-ID` / `X-Secret-Key` pair, the `{"success","data"}`
/// envelope and `{"success": false, "message", "errors"}` failures, contacts that require
/// both names and a role, a company named by an object and listed back as `companies`,
/// circles added with `{"add": [...]}`, custom fields keyed as `/contact/meta` lists them,
/// unknown keys ignored and never echoed, PUT replacing tags and custom fields, and lists of
/// 10 a page whose `nextPage` is a full URL. It counts calls per endpoint and can be slowed,
/// broken or rate limited.
public final class SuiteDashSandbox: Sendable {
    public struct Contact: Sendable, Equatable {
        public var uid: String
        /// The plain text fields SuiteDash keeps (first_name, email, role, background_info, ...).
        public var fields: [String: String]
        public var tags: [String]
        /// Names of the companies the contact belongs to, in the order they were added.
        public var companies: [String]
        /// Names of the circles the contact is in.
        public var circles: [String]
        /// Custom field values by the key `/contact/meta` gives them, of any JSON type.
        public var customFields: [String: FieldValue]
        public var created: Date
    }

    /// A custom field's value: text, or any other JSON value (a number, a yes/no, a
    /// multi-select's list) kept as its JSON text, so it goes back out exactly as it came in.
    public enum FieldValue: Sendable, Equatable, ExpressibleByStringLiteral {
        case text(String)
        case json(String)

        public init(stringLiteral value: String) { self = .text(value) }

        init?(_ value: Any) {
            if value is NSNull { return nil }
            if let text = value as? String { self = .text(text); return }
            guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]),
                  let json = String(data: data, encoding: .utf8) else { return nil }
            self = .json(json)
        }

        var jsonObject: Any {
            switch self {
            case .text(let text): return text
            case .json(let json): return (try? JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)) ?? NSNull()
            }
        }
    }

    /// A custom field the account defines, as `/contact/meta` lists it under `custom_fields.properties`.
    public struct CustomField: Sendable, Equatable, Codable {
        public var key: String
        public var label: String
        public var type: String
        public init(key: String, label: String, type: String = "text") { self.key = key; self.label = label; self.type = type }
    }

    public let publicID: String
    /// The sample pair of SuiteDash's API reference ("Test / Dummy Credentials").
    public static let dummyPublicID = "00000000-0000-0000-0000-000000000000"
    public static let dummySecretKey = "DummySecretKey"
    public let secretKey: String
    let state: NIOLockedValueBox<State>

    struct State {
        var contacts: [Contact] = []
        var companyUIDs: [String: String] = [:]  // lowercased name → uid
        var circleUIDs: [String: String] = [:]   // lowercased name → uid
        var customFields: [CustomField] = SuiteDashSandbox.defaultCustomFields
        var calls: [String: Int] = [:]
        var switches = SandboxSwitches()
        /// SuiteDash does not document whether tags sent on create are kept; false makes clients prove they cope.
        var keepsTagsOnCreate = true
    }

    public init(publicID: String = "sandbox-public-id", secretKey: String = "sandbox-secret-key") {
        self.publicID = publicID
        self.secretKey = secretKey
        self.state = NIOLockedValueBox(State())
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
    /// The account's custom fields; changing them changes what `/contact/meta` serves and what contacts keep.
    public var customFields: [CustomField] {
        get { state.withLockedValue { $0.customFields } }
        set { state.withLockedValue { $0.customFields = newValue } }
    }
    public func resetCalls() { state.withLockedValue { $0.calls = [:] } }

    // MARK: Routes

    /// Control routes for scripts: `GET /_sandbox/suitedash` (counts and calls),
    /// `GET /_sandbox/suitedash/contacts?email=` (the contacts as the API shows them),
    /// `POST /_sandbox/suitedash/switches` (a JSON `SandboxSwitches`), `POST /_sandbox/suitedash/reset-calls`.
    public func registerControls(on routes: any RoutesBuilder) {
        let control = routes.grouped("_sandbox", "suitedash")
        control.get { _ in
            let contacts = self.contacts
            let emails = Set(contacts.compactMap { $0.fields["email"]?.lowercased() })
            return Self.jsonResponse(.ok, ["contacts": contacts.count, "distinctEmails": emails.count,
                                           "calls": self.callsByEndpoint, "totalCalls": self.totalCalls])
        }
        control.get("contacts") { req in
            let email = req.query[String.self, at: "email"]?.lowercased()
            let matching = self.contacts.filter { email == nil || $0.fields["email"]?.lowercased() == email }
            // `createdMs`: when the create arrived, in milliseconds since 1970 (for latency benchmarks).
            return Self.jsonResponse(.ok, ["contacts": matching.map { contact -> [String: Any] in
                var object = Self.json(contact)
                object["createdMs"] = Int((contact.created.timeIntervalSince1970 * 1000).rounded())
                return object
            }])
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
        api.post("contact") { req in try await self.handle(req, "POST /contact") { self.create($0) } }
        api.put("contact", ":id") { req in try await self.handle(req, "PUT /contact/{id}") { self.update($0) } }
        api.get("contacts") { req in try await self.handle(req, "GET /contacts") { self.list($0) } }
        for method in [HTTPMethod.DELETE, .PATCH] {
            api.on(method, "contact", ":id") { req in
                try await self.handle(req, "\(method.rawValue) /contact/{id}") { _ in
                    Self.failure(.methodNotAllowed, "The \(method.rawValue) method is not supported for this route.")
                }
            }
        }
    }

    private func handle(_ req: Request, _ endpoint: String, _ body: @Sendable (Request) -> Response) async throws -> Response {
        let switches = state.withLockedValue { state in
            state.calls[endpoint, default: 0] += 1
            return state.switches
        }
        if switches.latencyMilliseconds > 0 {
            try await Task.sleep(nanoseconds: UInt64(switches.latencyMilliseconds) * 1_000_000)
        }
        if switches.outage { return Self.failure(.serviceUnavailable, "Service Unavailable") }
        if let target = switches.redirectTo {
            let response = Response(status: .temporaryRedirect)
            response.headers.replaceOrAdd(name: .location, value: target + req.url.string)
            return response
        }
        if let retryAfter = switches.rateLimitRetryAfter {
            let response = Self.failure(.tooManyRequests, "Too Many Attempts.")
            response.headers.replaceOrAdd(name: "Retry-After", value: String(retryAfter))
            return response
        }
        if switches.failureRate > 0, Double.random(in: 0..<1) < switches.failureRate {
            return Self.failure(.internalServerError, "Server Error")
        }
        let publicIDSent = req.headers.first(name: "X-Public-ID"), secretKeySent = req.headers.first(name: "X-Secret-Key")
        // SuiteDash's reference marks its reads "dummy request allowed" with its sample pair; a
        // write with that pair is refused here (what SuiteDash answers then is not documented).
        let dummy = publicIDSent == Self.dummyPublicID && secretKeySent == Self.dummySecretKey && req.method == .GET
        guard dummy || (publicIDSent == publicID && secretKeySent == secretKey) else {
            return Self.failure(.unauthorized, "Unauthenticated.")
        }
        if let message = switches.validationMessage, req.method == .POST || req.method == .PUT {
            return Self.failure(.unprocessableEntity, message)
        }
        return body(req)
    }

    // MARK: Envelopes

    static func success(_ status: HTTPResponseStatus, _ data: Any, meta: [String: Any]? = nil) -> Response {
        var envelope: [String: Any] = ["success": true, "data": data]
        if let meta { envelope["meta"] = meta }
        return jsonResponse(status, envelope)
    }

    /// `errors`: field name → what is wrong with it, when the failure is about fields.
    static func failure(_ status: HTTPResponseStatus, _ message: String, errors: [String: [String]]? = nil) -> Response {
        var body: [String: Any] = ["success": false, "message": message]
        if let errors { body["errors"] = errors }
        return jsonResponse(status, body)
    }

    static func jsonResponse(_ status: HTTPResponseStatus, _ object: Any) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: ["Content-Type": "application/json"], body: .init(data: data))
    }
}
