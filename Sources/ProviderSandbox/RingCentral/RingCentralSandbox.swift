import Crypto
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// A faithful in-memory stand-in for RingCentral's REST API: OAuth 2.0 (authorization code
/// with PKCE, single-use rotating refresh tokens, revoke), the account / extension / phone-number
/// reads, RingOut, SMS and the message store, the call log, and webhook subscriptions with
/// RingCentral's validation handshake and notifications. It enforces RingCentral's rate-limit
/// groups (with the penalty that every request restarts) and answers errors in RingCentral's
/// envelopes, so a client proven here behaves against the real thing.
///
/// Paths sit at the root (`/restapi/...`) like RingCentral's; controls sit under `/_sandbox/ringcentral`.
public final class RingCentralSandbox: Sendable {
    public let clientID: String
    public let clientSecret: String

    // The one user the sandbox knows: stable so tests and fixtures can name it.
    public static let accountID = "401234567890"
    public static let extensionID = "401234567891"
    static let extensionNumber = "101"
    static let mainNumber = "+16505550100"
    /// A colleague's extension (102) and direct number: their calls are in the company log only.
    public static let colleagueExtensionID = "401234567892"
    public static let colleagueNumber = "+16505550103"
    static let colleagueName = "Sam Rivera"
    public static let directNumber = "+16505550101"
    static let secondDirectNumber = "+16505550102"
    static let faxNumber = "+16505550109"
    static let userName = "Alex Morgan"
    /// Every permission LeadBridge's app asks for (the default app here has them all).
    public static let permissions = ["ReadAccounts", "CallControl", "RingOut", "SMS", "ReadCallLog", "ReadMessages", "SubscriptionWebhook"]
    /// The token's `scope`: the app's permissions, space-separated.
    var scope: String { settings.appPermissions.joined(separator: " ") }

    let state = NIOLockedValueBox(State())
    /// Signs the JWT credentials this sandbox issues (so a forged one is told apart).
    let jwtSigningKey = SymmetricKey(size: .bits256)

    struct State {
        var settings = RingCentralSandboxSettings()
        var switches = SandboxSwitches()
        var stats = RingCentralSandboxStats()
        /// Where clients reach the sandbox (from the last request's Host), for links in notifications.
        var origin = "http://127.0.0.1"
        var requestLog: [RingCentralSandboxRequest] = []

        var codes: [String: AuthorizationCode] = [:]
        var sessions: [String: OAuthSession] = [:]
        var accessTokens: [String: String] = [:]   // access token → session id
        var refreshTokens: [String: String] = [:]  // refresh token → session id
        var jwtCredentials: [String: JWTCredential] = [:]  // the credential's jti → its state
        var rateBuckets: [String: RateBucket] = [:]

        var ringOuts: [RingOut] = []
        var nextRingOutID = 3_000_000_001
        var messages: [Message] = []
        var nextMessageID = 1_000_000_001
        /// "sender>recipient" pairs whose recipient texted an opt-out keyword to the sender.
        var optedOut: Set<String> = []
        /// Sorted by start time, oldest first, so a date range is two binary searches.
        var callLog: [CallRecord] = []
        /// Colleagues' calls, start-time order: in the company log only.
        var colleagueCallLog: [CallRecord] = []
        var nextCallSequence = 1
        var subscriptions: [Subscription] = []
        var lastNotification: Notification?
    }

    struct AuthorizationCode {
        var clientID: String
        var redirectURI: String
        var codeChallenge: String?
        var codeChallengeMethod: String?
        var expires: Date
    }

    /// One grant: the pair of tokens currently valid for it. Refreshing replaces both. An app
    /// set not to issue refresh tokens gets sessions with an access token only.
    struct OAuthSession {
        var id: String
        var clientID: String
        var accessToken: String
        var accessExpires: Date
        var refreshToken: String?
        var refreshExpires: Date?
    }

    /// A JWT credential as a user made it in the developer console: it may expire, and it can be revoked.
    struct JWTCredential {
        var expires: Date?
        var revoked = false
    }

    /// A notification as sent, kept so it can be sent again (deduplication tests).
    struct Notification: Sendable {
        var subscriptionIDs: [String]
        var payloads: [String: Data]  // subscription id → JSON body
    }

    /// The request log keeps the most recent entries only, so long benchmarks stay bounded.
    static let requestLogCapacity = 100_000

    public init(clientID: String = "rc-sandbox-client-id", clientSecret: String = "rc-sandbox-client-secret") {
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    // MARK: Inspection and switches

    public var settings: RingCentralSandboxSettings {
        get { state.withLockedValue { $0.settings } }
        set { state.withLockedValue { $0.settings = newValue } }
    }
    public var switches: SandboxSwitches {
        get { state.withLockedValue { $0.switches } }
        set { state.withLockedValue { $0.switches = newValue } }
    }
    public var stats: RingCentralSandboxStats { state.withLockedValue { $0.stats } }
    public var requestLog: [RingCentralSandboxRequest] { state.withLockedValue { $0.requestLog } }
    public func resetStats() {
        state.withLockedValue {
            $0.stats = RingCentralSandboxStats()
            $0.requestLog = []
        }
    }

    public var ringOuts: [RingOut] {
        state.withLockedValue { state in
            state.settle(now: Date())
            return state.ringOuts
        }
    }
    public var messages: [Message] {
        state.withLockedValue { state in
            state.settle(now: Date())
            return state.messages
        }
    }
    public var subscriptions: [Subscription] { state.withLockedValue { $0.subscriptions } }
    /// The call log, newest first.
    public var callLog: [CallRecord] {
        state.withLockedValue { state in
            state.settle(now: Date())
            return state.callLog.reversed()
        }
    }

    // MARK: Routes

    /// The API, at RingCentral's own paths (`/restapi/oauth/...`, `/restapi/v1.0/...`).
    public func register(on routes: any RoutesBuilder) {
        registerOAuth(on: routes)
        registerAccount(on: routes)
        registerRingOut(on: routes)
        registerSMS(on: routes)
        registerCallLog(on: routes)
        registerSubscriptions(on: routes)
    }

    /// Every API call goes through here: counting, the switches, the bearer token, the path's
    /// account and extension, the rate limit of `group`, then the handler; the rate-limit headers
    /// go on every answer that got that far, as RingCentral's do.
    func handle(_ req: Request, _ endpoint: String, group: String,
                _ body: @escaping @Sendable (Request) async throws -> Response) async throws -> Response {
        let origin = Self.origin(req)
        state.withLockedValue { $0.origin = origin }
        let response = try await pipeline(req, endpoint, group: group, body)
        log(req, endpoint, group: group, status: response.status)
        // Vapor writes the real `Date` on every answer, after the handler. A clock set off by the
        // setting goes first, so a client reads it (the answer then carries both; only a test of
        // this machine's clock against RingCentral's sets it).
        let offset = settings.clockOffsetSeconds
        if offset != 0 { response.headers.replaceOrAdd(name: .date, value: Date().addingTimeInterval(TimeInterval(offset)).rfc1123) }
        return response
    }

    private func pipeline(_ req: Request, _ endpoint: String, group: String,
                          _ body: @escaping @Sendable (Request) async throws -> Response) async throws -> Response {
        if let early = try await applySwitches(req, endpoint) { return early }
        let clientID: String
        switch authenticate(req) {
        case .failure(let response): return response
        case .success(let session): clientID = session.clientID
        }
        if let missing = Self.checkPathOwner(req) { return missing }
        if let refused = permissionRefusal(endpoint) { return refused }
        let decision = admit(key: "\(clientID)|\(Self.extensionID)|\(group)", group: group)
        guard decision.allowed else { return decision.apply(to: Self.rateLimitedResponse()) }
        return decision.apply(to: try await body(req))
    }

    /// Counts the call, then latency, outage (503), forced 429 and random failures (500), in RingCentral's envelope.
    func applySwitches(_ req: Request, _ endpoint: String) async throws -> Response? {
        let switches = state.withLockedValue { state in
            state.stats.callsByEndpoint[endpoint, default: 0] += 1
            state.stats.totalCalls += 1
            return state.switches
        }
        if switches.latencyMilliseconds > 0 {
            try await Task.sleep(nanoseconds: UInt64(switches.latencyMilliseconds) * 1_000_000)
        }
        if switches.outage {
            return Self.error(.serviceUnavailable, "CMN-211", "Service temporary unavailable.")
        }
        if let target = switches.redirectTo {
            let response = Response(status: .temporaryRedirect)
            response.headers.replaceOrAdd(name: .location, value: target + req.url.string)
            return response
        }
        if let retryAfter = switches.rateLimitRetryAfter {
            state.withLockedValue { $0.stats.rateLimited += 1 }
            let response = Self.rateLimitedResponse()
            response.headers.replaceOrAdd(name: "Retry-After", value: String(retryAfter))
            return response
        }
        if switches.failureRate > 0, Double.random(in: 0..<1) < switches.failureRate {
            return Self.error(.internalServerError, "CMN-203", "Internal Server Error")
        }
        return nil
    }

    func log(_ req: Request, _ endpoint: String, group: String, status: HTTPResponseStatus) {
        let entry = RingCentralSandboxRequest(method: req.method.rawValue, endpoint: endpoint, group: group,
                                              status: Int(status.code), date: Date())
        state.withLockedValue { state in
            state.requestLog.append(entry)
            if state.requestLog.count > Self.requestLogCapacity {
                state.requestLog.removeFirst(state.requestLog.count - Self.requestLogCapacity)
            }
        }
    }

    /// `~` or the numeric id both name the sandbox's one account and extension; anything else is 404 as at RingCentral.
    static func checkPathOwner(_ req: Request) -> Response? {
        if let account = req.parameters.get("accountId"), !["~", "%7E", "%7e", accountID].contains(account) {
            return notFound("accountId")
        }
        if let ext = req.parameters.get("extensionId"), !["~", "%7E", "%7e", extensionID].contains(ext) {
            return notFound("extensionId")
        }
        return nil
    }
}
