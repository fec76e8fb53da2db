import Foundation
import ProviderSandbox
import Testing

/// Checks the sandbox's answers against the response schemas of RingCentral's published OpenAPI
/// spec, extracted into `Fixtures/ringcentral-schemas.json` by
/// `scripts/spec/extract-ringcentral-schemas.py`: every property returned must be declared with
/// the right JSON type (and enum value), and every required property must be there.
@Suite("RingCentral sandbox: conformance to the OpenAPI spec")
struct RingCentralSpecConformanceTests {
    nonisolated(unsafe) static let schemas: [String: Any] = {  // read-only after first use
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/ringcentral-schemas.json")
        let data = try! Data(contentsOf: url)
        return (try! JSONSerialization.jsonObject(with: data) as! [String: Any])["schemas"] as! [String: Any]
    }()

    /// RingCentral's gateway still sends `errorCode` / `message` at the top of an error beside the
    /// `errors` array the spec declares; clients read both, so the sandbox sends both.
    static let legacyErrorKeys: Set<String> = ["errorCode", "message"]

    func check(_ key: String, _ body: Data, extraTopLevel: Set<String> = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let schema = try #require(Self.schemas[key] as? [String: Any], "no schema \(key)", sourceLocation: sourceLocation)
        let value = try JSONDecoder().decode(JSONValue.self, from: body)
        var problems = SchemaCheck.problems(value, schema, path: "$")
        problems.removeAll { problem in extraTopLevel.contains { problem == "$.\($0): not declared" } }
        #expect(problems.isEmpty, "\(key): \(problems.joined(separator: "; "))", sourceLocation: sourceLocation)
    }

    @Test("every endpoint's answer matches the spec")
    func endpoints() async throws {
        try await withSandbox {
            $0.ringOutStepSeconds = 0.05
            $0.smsStepSeconds = 0.05
        } run: { server in
            try await withWebhookReceiver { receiver in
                let base = server.baseURL
                let code = try await send(.POST, base + "/_sandbox/ringcentral/authorize", headers: [jsonType],
                                          body: jsonBody(["redirect_uri": redirectURI])).json["code"] as! String
                let token = try await send(.POST, base + "/restapi/oauth/token", headers: [basic(), formType],
                                           body: form(["grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI]))
                try check("POST /restapi/oauth/token", token.body)
                let bearer = ("Authorization", "Bearer " + (token.json["access_token"] as! String))
                let ext = base + "/restapi/v1.0/account/~/extension/~"

                try check("GET /restapi/v1.0/account/~", try await send(.GET, base + "/restapi/v1.0/account/~", headers: [bearer]).body)
                try check("GET /restapi/v1.0/account/~/extension/~", try await send(.GET, ext, headers: [bearer]).body)
                try check("GET /restapi/v1.0/account/~/extension/~/phone-number",
                          try await send(.GET, ext + "/phone-number?perPage=2&page=2", headers: [bearer]).body)
                let hours = try await send(.GET, ext + "/business-hours", headers: [bearer])
                #expect(((hours.json["schedule"] as? [String: Any])?["weeklyRanges"] as? [String: Any])?.count == 5, "the spec's example week")
                try check("GET /restapi/v1.0/account/~/extension/~/business-hours", hours.body)

                let ringOut = try await send(.POST, ext + "/ring-out", headers: [bearer, jsonType], body: jsonBody([
                    "from": ["phoneNumber": "+16505559876"], "to": ["phoneNumber": "+14155550123"], "callerId": ["phoneNumber": "+16505550101"],
                    "playPrompt": false,
                ]))
                try check("POST /restapi/v1.0/account/~/extension/~/ring-out", ringOut.body)
                let sms = try await send(.POST, ext + "/sms", headers: [bearer, jsonType], body: jsonBody([
                    "from": ["phoneNumber": "+16505550101"], "to": [["phoneNumber": "+14155550123"]], "text": "Hello from the spec test",
                ]))
                try check("POST /restapi/v1.0/account/~/extension/~/sms", sms.body)
                try await Task.sleep(for: .milliseconds(150))
                try check("GET /restapi/v1.0/account/~/extension/~/ring-out/{id}",
                          try await send(.GET, ext + "/ring-out/" + (ringOut.json["id"] as! String), headers: [bearer]).body)
                try check("GET /restapi/v1.0/account/~/extension/~/message-store/{id}",
                          try await send(.GET, ext + "/message-store/\(sms.json["id"] as! Int)", headers: [bearer]).body)

                server.ringCentral.generateCallLog(count: 40, spacing: 120)
                for view in ["Simple", "Detailed"] {
                    let log = try await send(.GET, ext + "/call-log?view=\(view)&perPage=20&page=1", headers: [bearer])
                    #expect((log.json["records"] as? [Any])?.count == 20)
                    try check("GET /restapi/v1.0/account/~/extension/~/call-log", log.body)
                }
                server.ringCentral.addColleagueCallLogRecord(from: "+14155550188")
                let company = try await send(.GET, base + "/restapi/v1.0/account/~/call-log?perPage=50", headers: [bearer])
                #expect((company.json["records"] as? [Any])?.count == 41)
                try check("GET /restapi/v1.0/account/~/call-log", company.body)

                let created = try await send(.POST, base + "/restapi/v1.0/subscription", headers: [bearer, jsonType], body: jsonBody([
                    "eventFilters": ["/restapi/v1.0/account/~/extension/~/message-store/instant?type=SMS",
                                     "/restapi/v1.0/account/~/extension/~/telephony/sessions"],
                    "deliveryMode": ["transportType": "WebHook", "address": receiver.url("/hook"), "verificationToken": "t"],
                ]))
                try check("POST /restapi/v1.0/subscription", created.body)
                let id = created.json["id"] as! String
                try check("GET /restapi/v1.0/subscription", try await send(.GET, base + "/restapi/v1.0/subscription", headers: [bearer]).body)
                try check("GET /restapi/v1.0/subscription/{id}", try await send(.GET, base + "/restapi/v1.0/subscription/" + id, headers: [bearer]).body)
                try check("POST /restapi/v1.0/subscription/{id}/renew",
                          try await send(.POST, base + "/restapi/v1.0/subscription/\(id)/renew", headers: [bearer]).body)
                server.ringCentral.blacklistSubscription(id: id)
                try check("GET /restapi/v1.0/subscription/{id}", try await send(.GET, base + "/restapi/v1.0/subscription/" + id, headers: [bearer]).body)

                // Errors.
                let invalid = try await send(.POST, ext + "/sms", headers: [bearer, jsonType], body: jsonBody([
                    "from": ["phoneNumber": "+16505550101"], "to": [["phoneNumber": "12"]], "text": "x",
                ]))
                try check("error 400", invalid.body, extraTopLevel: Self.legacyErrorKeys)
                try check("error 404", try await send(.GET, ext + "/ring-out/1", headers: [bearer]).body, extraTopLevel: Self.legacyErrorKeys)
                try check("error 401", try await send(.GET, ext).body, extraTopLevel: Self.legacyErrorKeys)
                server.ringCentral.settings.limits["Light"] = 0
                let limited = try await send(.GET, ext, headers: [bearer])
                #expect(limited.status == 429)
                try check("error 429", limited.body, extraTopLevel: Self.legacyErrorKeys)
            }
        }
    }

    @Test("each endpoint asks for the app and user permissions the spec's x-app-permission and x-user-permission name")
    func permissions() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/ringcentral-schemas.json")
        let fixture = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let spec = try #require(fixture["permissions"] as? [String: [String: Any]])
        for (endpoint, pair) in spec {
            let expected = RingCentralSandbox.EndpointPermission(app: pair["app"] as? String, user: pair["user"] as? String)
            let served = RingCentralSandbox.endpointPermissions[endpoint] ?? .init(app: nil, user: nil)
            #expect(served == expected, "\(endpoint)")
        }
        for endpoint in RingCentralSandbox.endpointPermissions.keys {
            #expect(spec[endpoint] != nil, "\(endpoint) is not among the fixture's operations")
        }
    }

    @Test("notification bodies match the spec's event schemas")
    func notifications() async throws {
        try await withSandbox { server in
            try await withWebhookReceiver { receiver in
                let tokens = try await connect(server)
                let created = try await send(.POST, server.baseURL + "/restapi/v1.0/subscription", headers: [tokens.bearer, jsonType], body: jsonBody([
                    "eventFilters": ["/restapi/v1.0/account/~/extension/~/message-store/instant?type=SMS",
                                     "/restapi/v1.0/account/~/extension/~/telephony/sessions"],
                    "deliveryMode": ["transportType": "WebHook", "address": receiver.url("/hook")],
                ]))
                #expect(created.status == 200)
                try await server.ringCentral.simulateInboundSMS(from: "+14155550123", to: "+16505550101", text: "hi")
                try await server.ringCentral.simulateInboundCall(from: "+14155550123", to: "+16505550101")
                let notifications = receiver.notifications
                #expect(notifications.count == 2)
                // The spec's event models omit `ownerId` at the top of the instant-message envelope; RingCentral sends it.
                try check("notification instant-sms", notifications[0].body, extraTopLevel: ["ownerId"])
                try check("notification telephony-sessions", notifications[1].body)
            }
        }
    }
}

/// A JSON value that keeps booleans, integers and other numbers apart (JSONSerialization does not on Linux).
indirect enum JSONValue: Decodable {
    case null, bool(Bool), integer(Int), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }
}

enum SchemaCheck {
    static func problems(_ value: JSONValue, _ schema: [String: Any], path: String) -> [String] {
        if let alternatives = schema["oneOf"] as? [[String: Any]] {
            let results = alternatives.map { problems(value, $0, path: path) }
            return results.contains { $0.isEmpty } ? [] : (results.first ?? [])
        }
        guard let type = schema["type"] as? String else { return [] }  // unconstrained (cut at the extraction depth)
        switch (type, value) {
        case ("string", .string(let text)):
            if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { ($0 as? String) == text }) {
                return ["\(path): \"\(text)\" not in enum"]
            }
            return []
        case ("integer", .integer), ("number", .integer), ("number", .number): return []
        case ("boolean", .bool(let flag)):
            if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { ($0 as? Bool) == flag }) {
                return ["\(path): \(flag) not in enum"]
            }
            return []
        case ("array", .array(let items)):
            guard let itemSchema = schema["items"] as? [String: Any] else { return [] }
            return items.enumerated().flatMap { problems($0.element, itemSchema, path: "\(path)[\($0.offset)]") }
        case ("object", .object(let members)):
            let properties = schema["properties"] as? [String: Any] ?? [:]
            var found: [String] = []
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                if let propertySchema = properties[key] as? [String: Any] {
                    found += problems(member, propertySchema, path: "\(path).\(key)")
                } else if let extra = schema["additionalProperties"] as? [String: Any] {
                    found += problems(member, extra, path: "\(path).\(key)")
                } else if schema["additionalProperties"] as? Bool == true {
                    continue
                } else {
                    found.append("\(path).\(key): not declared")
                }
            }
            for key in schema["required"] as? [String] ?? [] where members[key] == nil {
                found.append("\(path).\(key): required but missing")
            }
            return found
        default:
            return ["\(path): expected \(type), got \(value)"]
        }
    }
}
