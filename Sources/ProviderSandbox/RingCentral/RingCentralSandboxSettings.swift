import Foundation

/// How the RingCentral stand-in behaves: token lifetimes, rate limits and how fast simulated
/// calls and messages progress. Every key is optional when decoded, so scripts can post only
/// the ones they change (`POST /_sandbox/ringcentral/settings`).
public struct RingCentralSandboxSettings: Sendable, Codable, Equatable {
    /// Seconds an access token lives (RingCentral: 3600).
    public var accessTokenTTL: Int = 3600
    /// Seconds a refresh token lives (RingCentral: 604800, a week).
    public var refreshTokenTTL: Int = 604_800
    /// The app's "Issue refresh tokens" option in RingCentral's developer console. RingCentral's
    /// guide on refresh tokens says it is off unless turned on; on here, as most apps that
    /// refresh have it, and turned off to prove a client copes with token answers without one.
    public var issueRefreshTokens = true
    /// Seconds an authorization code can be exchanged (RingCentral: about 60).
    public var authorizationCodeTTL: Int = 60
    /// Length of the rate-limit window in seconds (RingCentral: 60).
    public var rateLimitWindow: Int = 60
    /// Seconds a group stays blocked after its limit was broken.
    public var penalty: Int = 60
    /// How the window is counted. "sliding" (RingCentral's guide: "a sliding time window", and
    /// "every new request during the penalty interval restarts the penalty"): the requests of the
    /// last `rateLimitWindow` seconds, and a request during the penalty starts it again.
    /// "fixed": windows of `rateLimitWindow` seconds one after another, each counted from zero,
    /// and the penalty runs its length whatever arrives meanwhile (a gentler reading, kept so a
    /// client can be shown to hold under both).
    public var rateLimitCounting: String = "sliding"
    /// Requests per window per group ("Light", "Medium", "Heavy", "Auth").
    public var limits: [String: Int] = ["Light": 50, "Medium": 40, "Heavy": 10, "Auth": 5]
    /// Seconds between a RingOut's status steps (InProgress → caller answered → final).
    public var ringOutStepSeconds: Double = 2
    /// Seconds between an outbound SMS's status steps (Queued → Sent → Delivered).
    public var smsStepSeconds: Double = 1
    /// Redirect URIs the app registered. Empty allows any http(s) URI, so tests and demos on
    /// random ports need no set-up; set it to prove a client sends exactly the registered one.
    public var redirectURIs: [String] = []
    /// The permissions the app was given in the developer console: its tokens' `scope`, and what
    /// decides which subscription event filters work (RingCentral disables the others).
    public var appPermissions: [String] = RingCentralSandbox.permissions
    /// The user permissions of the connected user's role (RingCentral's admin portal, Users >
    /// Roles): an endpoint whose `x-user-permission` is missing answers 403 CMN-408.
    public var userPermissions: [String] = RingCentralSandbox.userPermissions
    /// Seconds the `Date` header is ahead of this machine's clock (negative: behind).
    public var clockOffsetSeconds: Int = 0
    /// The sign-ins the app was given: the authorization code flow, and JWT Bearer.
    public var grantTypes: [String] = ["authorization_code", "urn:ietf:params:oauth:grant-type:jwt-bearer"]
    /// The user's business hours (`GET …/extension/~/business-hours`): the spec's
    /// `weeklyRanges`, day name to `[{"from": "09:00", "to": "18:00"}]`; by default the spec's
    /// example, Monday to Friday 09:00–18:00. Empty: "24 hours/7 days a week", which RingCentral
    /// answers with an empty schedule.
    public var businessHours: [String: [[String: String]]] = RingCentralSandboxSettings.specExampleHours

    public static let specExampleHours: [String: [[String: String]]] = Dictionary(uniqueKeysWithValues:
        ["monday", "tuesday", "wednesday", "thursday", "friday"].map { ($0, [["from": "09:00", "to": "18:00"]]) })

    public init() {}

    public init(from decoder: any Decoder) throws {
        let defaults = RingCentralSandboxSettings()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        accessTokenTTL = try c.decodeIfPresent(Int.self, forKey: .accessTokenTTL) ?? defaults.accessTokenTTL
        refreshTokenTTL = try c.decodeIfPresent(Int.self, forKey: .refreshTokenTTL) ?? defaults.refreshTokenTTL
        issueRefreshTokens = try c.decodeIfPresent(Bool.self, forKey: .issueRefreshTokens) ?? defaults.issueRefreshTokens
        authorizationCodeTTL = try c.decodeIfPresent(Int.self, forKey: .authorizationCodeTTL) ?? defaults.authorizationCodeTTL
        rateLimitWindow = try c.decodeIfPresent(Int.self, forKey: .rateLimitWindow) ?? defaults.rateLimitWindow
        penalty = try c.decodeIfPresent(Int.self, forKey: .penalty) ?? defaults.penalty
        rateLimitCounting = try c.decodeIfPresent(String.self, forKey: .rateLimitCounting) ?? defaults.rateLimitCounting
        limits = try c.decodeIfPresent([String: Int].self, forKey: .limits) ?? defaults.limits
        ringOutStepSeconds = try c.decodeIfPresent(Double.self, forKey: .ringOutStepSeconds) ?? defaults.ringOutStepSeconds
        smsStepSeconds = try c.decodeIfPresent(Double.self, forKey: .smsStepSeconds) ?? defaults.smsStepSeconds
        redirectURIs = try c.decodeIfPresent([String].self, forKey: .redirectURIs) ?? defaults.redirectURIs
        appPermissions = try c.decodeIfPresent([String].self, forKey: .appPermissions) ?? defaults.appPermissions
        grantTypes = try c.decodeIfPresent([String].self, forKey: .grantTypes) ?? defaults.grantTypes
        userPermissions = try c.decodeIfPresent([String].self, forKey: .userPermissions) ?? defaults.userPermissions
        clockOffsetSeconds = try c.decodeIfPresent(Int.self, forKey: .clockOffsetSeconds) ?? defaults.clockOffsetSeconds
        businessHours = try c.decodeIfPresent([String: [[String: String]]].self, forKey: .businessHours) ?? defaults.businessHours
    }

    /// The limit of a group; a group missing from `limits` falls back to RingCentral's default.
    func limit(for group: String) -> Int {
        limits[group] ?? RingCentralSandboxSettings().limits[group] ?? 50
    }
}

/// What the stand-in counted, for tests and benchmarks (`GET /_sandbox/ringcentral`).
public struct RingCentralSandboxStats: Sendable, Codable, Equatable {
    /// Token requests by `grant_type` ("authorization_code", "refresh_token", or what was sent).
    public var tokenRequests: [String: Int] = [:]
    /// `invalid_grant` answers (bad, used or expired codes; dead refresh tokens).
    public var invalidGrants = 0
    /// 429 answers.
    public var rateLimited = 0
    /// 429 answers by group ("Light", …).
    public var rateLimitedByGroup: [String: Int] = [:]
    /// By group, the most requests admitted within any `rateLimitWindow` seconds (whichever way
    /// the window is counted): what a client must keep at or under the group's limit.
    public var busiestWindow: [String: Int] = [:]
    /// OAuth sessions ended by `/restapi/oauth/revoke` or `revokeAllTokens()`.
    public var revoked = 0
    /// Requests by endpoint, e.g. "POST /restapi/v1.0/account/~/extension/~/ring-out".
    public var callsByEndpoint: [String: Int] = [:]
    public var totalCalls = 0
    /// Webhook notifications answered 2xx, and those that were not (or failed to connect).
    public var notificationsDelivered = 0
    public var notificationsFailed = 0

    public init() {}
}

/// One request as the stand-in saw it, for pacing tests.
public struct RingCentralSandboxRequest: Sendable, Codable, Equatable {
    public var method: String
    /// Normalised endpoint ("GET /restapi/v1.0/account/~/extension/~/ring-out/{id}").
    public var endpoint: String
    /// Rate-limit group: "Light", "Medium", "Heavy" or "Auth" ("" for unthrottled pages).
    public var group: String
    public var status: Int
    public var date: Date
}
