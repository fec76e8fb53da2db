import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A client for RingCentral's REST API (`/restapi/v1.0/...`) that applies the token policy
/// (`RingCentralTokenManager`) and the rate limiter to every call. It knows nothing of
/// LeadBridge's database or web framework.
public struct RingCentralClient: Sendable {
    public static let productionServerURL = "https://platform.ringcentral.com"

    public let serverURL: String
    public let tokens: RingCentralTokenManager
    let transport: RingCentralTransport

    public init(serverURL: String, tokens: RingCentralTokenManager, httpClient: HTTPClient, limiter: RingCentralRateLimiter,
                options: RingCentralClientOptions = .init(), observer: RingCentralRequestObserver? = nil) {
        self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        self.tokens = tokens
        self.transport = RingCentralTransport(http: httpClient, limiter: limiter, options: options, observer: observer)
    }

    static let extensionPath = "/restapi/v1.0/account/~/extension/~"

    // MARK: Account

    public func account() async throws -> RingCentralAccount {
        try await get("/restapi/v1.0/account/~", group: .light)
    }

    public func extensionInfo() async throws -> RingCentralExtension {
        try await get(Self.extensionPath, group: .light)
    }

    /// Every page of the extension's numbers.
    public func phoneNumbers() async throws -> [RingCentralPhoneNumber] {
        var numbers: [RingCentralPhoneNumber] = []
        var page = 1
        while true {
            let list: RingCentralRecordList<RingCentralPhoneNumber> = try await get(
                Self.extensionPath + "/phone-number?perPage=100&page=\(page)", group: .light,
                endpoint: "GET \(Self.extensionPath)/phone-number")
            numbers += list.records
            guard list.navigation?.nextPage?.uri != nil, !list.records.isEmpty, page < 1000 else { return numbers }
            page += 1
        }
    }

    // MARK: RingOut

    /// Rings `from` (the office phone) first, then connects `to`; `callerID` is what the lead sees.
    public func ringOut(from: String, to: String, callerID: String?) async throws -> RingCentralRingOut {
        var body: [String: Any] = ["from": ["phoneNumber": from], "to": ["phoneNumber": to], "playPrompt": false]
        if let callerID { body["callerId"] = ["phoneNumber": callerID] }
        return try await send(.POST, Self.extensionPath + "/ring-out", group: .heavy, json: body)
    }

    public func ringOutStatus(id: String) async throws -> RingCentralRingOut {
        try await get(Self.extensionPath + "/ring-out/" + Self.segment(id), group: .light,
                      endpoint: "GET \(Self.extensionPath)/ring-out/{id}")
    }

    public func cancelRingOut(id: String) async throws {
        _ = try await raw(.DELETE, Self.extensionPath + "/ring-out/" + Self.segment(id), group: .heavy,
                          endpoint: "DELETE \(Self.extensionPath)/ring-out/{id}")
    }

    // MARK: SMS

    public func sendSMS(from: String, to: String, text: String) async throws -> RingCentralMessage {
        try await send(.POST, Self.extensionPath + "/sms", group: .medium,
                       json: ["from": ["phoneNumber": from], "to": [["phoneNumber": to]], "text": text])
    }

    public func message(id: String) async throws -> RingCentralMessage {
        try await get(Self.extensionPath + "/message-store/" + Self.segment(id), group: .light,
                      endpoint: "GET \(Self.extensionPath)/message-store/{id}")
    }

    // MARK: Call log

    /// The first page of the call log from `dateFrom` (RingCentral's `Simple` view): the connected
    /// user's (`readUserCallLog`), or the whole company's (`readCompanyCallLog`, which needs the
    /// user permission FullCompanyCallLog: an admin's role has it).
    public func callLog(dateFrom: Date, dateTo: Date? = nil, perPage: Int = 1000,
                        scope: RingCentralCallLogScope = .user) async throws -> RingCentralCallLogPage {
        var query = "dateFrom=" + FormEncoding.escape(RingCentralDate.format(dateFrom))
        if let dateTo { query += "&dateTo=" + FormEncoding.escape(RingCentralDate.format(dateTo)) }
        query += "&perPage=\(min(max(perPage, 1), 1000))&page=1&view=Simple"
        return try await callLogPage(url: serverURL + scope.path + "?" + query)
    }

    /// The page `navigation.nextPage.uri` points at. It must be on the same server: a
    /// bearer token is never sent anywhere else.
    public func callLogPage(following uri: String) async throws -> RingCentralCallLogPage {
        guard let url = URL(string: uri), let server = URL(string: serverURL), url.scheme == server.scheme, url.host == server.host, url.port == server.port,
              url.path.hasPrefix("/restapi/") else {
            throw RingCentralError.unexpectedResponse("the next-page link points away from the RingCentral server: \(uri)")
        }
        return try await callLogPage(url: uri)
    }

    private func callLogPage(url: String) async throws -> RingCentralCallLogPage {
        let scope: RingCentralCallLogScope = url.contains("/extension/") ? .user : .company
        let response = try await authorized(.GET, url: url, group: .heavy, endpoint: "GET \(scope.path)", body: nil)
        let envelope: RingCentralCallLogEnvelope = try Self.decode(response.body)
        return RingCentralCallLogPage(records: envelope.records, page: envelope.paging?.page ?? 1,
                                      totalPages: envelope.paging?.totalPages, totalElements: envelope.paging?.totalElements,
                                      nextPageURI: envelope.navigation?.nextPage?.uri)
    }

    // MARK: Subscriptions

    public func createSubscription(eventFilters: [String], address: String, verificationToken: String,
                                   expiresIn: Int) async throws -> RingCentralSubscription {
        try await send(.POST, "/restapi/v1.0/subscription", group: .medium, json: [
            "eventFilters": eventFilters, "expiresIn": expiresIn,
            "deliveryMode": ["transportType": "WebHook", "address": address, "verificationToken": verificationToken],
        ])
    }

    public func subscription(id: String) async throws -> RingCentralSubscription {
        try await get("/restapi/v1.0/subscription/" + Self.segment(id), group: .light, endpoint: "GET /restapi/v1.0/subscription/{id}")
    }

    /// The spec puts renewal in the Light group (`x-throttling-group: Light` on
    /// `renewSubscription`), unlike create and delete: a renewal never waits behind texts.
    public func renewSubscription(id: String) async throws -> RingCentralSubscription {
        try await send(.POST, "/restapi/v1.0/subscription/" + Self.segment(id) + "/renew", group: .light,
                       endpoint: "POST /restapi/v1.0/subscription/{id}/renew", json: nil)
    }

    public func deleteSubscription(id: String) async throws {
        _ = try await raw(.DELETE, "/restapi/v1.0/subscription/" + Self.segment(id), group: .medium,
                          endpoint: "DELETE /restapi/v1.0/subscription/{id}")
    }

    // MARK: Transport

    private func get<T: Decodable>(_ path: String, group: RingCentralRateLimitGroup, endpoint: String? = nil) async throws -> T {
        try await send(.GET, path, group: group, endpoint: endpoint, json: nil)
    }

    /// A Light GET for the client's extensions in other files.
    func getJSON<T: Decodable>(_ path: String) async throws -> T {
        try await get(path, group: .light)
    }

    private func send<T: Decodable>(_ method: HTTPMethod, _ path: String, group: RingCentralRateLimitGroup,
                                    endpoint: String? = nil, json: [String: Any]?) async throws -> T {
        let body = try json.map { try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) }
        let response = try await authorized(method, url: serverURL + path, group: group,
                                            endpoint: endpoint ?? "\(method.rawValue) \(path)", body: body)
        return try Self.decode(response.body)
    }

    /// An answer whose headers the caller reads too (`probe()`).
    func raw(_ method: HTTPMethod, _ path: String, group: RingCentralRateLimitGroup, endpoint: String) async throws -> RingCentralTransport.Response {
        try await authorized(method, url: serverURL + path, group: group, endpoint: endpoint, body: nil)
    }

    /// One call with a bearer token: refreshed first when it is about to expire; on a 401
    /// saying the token expired or is unknown, the token is replaced once and the call
    /// retried once.
    private func authorized(_ method: HTTPMethod, url: String, group: RingCentralRateLimitGroup, endpoint: String,
                            body: Data?) async throws -> RingCentralTransport.Response {
        // Renewed now if it is due, so a refresh never waits for a slot behind the requests it
        // would serve; read again when the request holds its slot (see
        // `RingCentralTransport.Request.bearer`), which costs nothing unless it changed.
        let tokens = tokens
        _ = try await tokens.validTokens()
        var rejected: String?
        while true {
            var request = RingCentralTransport.Request(method: method, url: url, endpoint: endpoint, group: group, body: body,
                                                       auditBody: body)
            request.bearer = { [rejected] in
                if let rejected { return try await tokens.tokensAfterRejection(of: rejected).accessToken }
                return try await tokens.validTokens().accessToken
            }
            if body != nil { request.headers.add(name: "Content-Type", value: "application/json") }
            let response = try await transport.send(request)
            if (200..<300).contains(response.status) { return response }
            let error = RingCentralErrorParser.error(status: response.status, body: response.body, group: group)
            if response.status == 401, rejected == nil, let used = response.bearerUsed,
               !Self.replaceableTokenCodes.isDisjoint(with: error.errorCodes) {
                rejected = used
                continue
            }
            throw error
        }
    }

    /// Expired, or unknown because another process refreshed (which kills the old token). Looked
    /// for among all of the answer's codes: the top-level one is RingCentral's generic
    /// "TokenInvalid", which alone does not say a new token would help.
    static let replaceableTokenCodes: Set<String> = ["OAU-128", "OAU-213", "TokenExpired"]

    static func decode<T: Decodable>(_ body: ByteBuffer) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw RingCentralError.unexpectedResponse("the answer is not the documented JSON (\(error))")
        }
    }

    static func segment(_ text: String) -> String {
        FormEncoding.escape(text)
    }
}
