import Foundation

/// One access/refresh pair as RingCentral issued it, with the expiry times worked out
/// from `expires_in` at the moment the answer arrived. The refresh token is optional: the
/// spec's `TokenInfo` says "OAuth refresh token (if issued)", and an app set not to issue them
/// gets an access token alone.
public struct RingCentralTokenSet: Sendable, Equatable, Codable {
    public var accessToken: String
    public var refreshToken: String?
    public var tokenType: String
    public var expiresIn: Int
    public var expiresAt: Date
    public var refreshTokenExpiresAt: Date?
    public var scope: String?
    /// The extension id the token belongs to.
    public var ownerID: String?
    public var endpointID: String?

    public init(accessToken: String, refreshToken: String?, tokenType: String = "bearer", expiresIn: Int, expiresAt: Date,
                refreshTokenExpiresAt: Date? = nil, scope: String? = nil, ownerID: String? = nil, endpointID: String? = nil) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.tokenType = tokenType
        self.expiresIn = expiresIn
        self.expiresAt = expiresAt
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
        self.scope = scope
        self.ownerID = ownerID
        self.endpointID = endpointID
    }

    /// True when the access token is expired or expires within `margin` seconds.
    public func expires(within margin: TimeInterval, now: Date) -> Bool {
        expiresAt.timeIntervalSince(now) <= margin
    }

    public var scopes: [String] { (scope ?? "").split(separator: " ").map(String.init) }

    /// A refresh token was issued and has not expired (as far as this clock knows).
    public func hasUsableRefreshToken(now: Date) -> Bool {
        refreshToken != nil && (refreshTokenExpiresAt.map { $0 > now } ?? true)
    }
}

/// `POST /restapi/oauth/token`'s answer, as documented (`TokenInfo`).
struct RingCentralTokenResponse: Decodable {
    let access_token: String
    let token_type: String?
    let expires_in: Int
    let refresh_token: String?
    let refresh_token_expires_in: Int?
    let scope: String?
    let owner_id: String?
    let endpoint_id: String?

    func tokenSet(receivedAt now: Date) -> RingCentralTokenSet {
        RingCentralTokenSet(
            accessToken: access_token, refreshToken: refresh_token, tokenType: token_type ?? "bearer",
            expiresIn: expires_in, expiresAt: now.addingTimeInterval(TimeInterval(expires_in)),
            refreshTokenExpiresAt: refresh_token == nil ? nil : refresh_token_expires_in.map { now.addingTimeInterval(TimeInterval($0)) },
            scope: scope, ownerID: owner_id, endpointID: endpoint_id)
    }

    /// What may go into an audit log: everything but the tokens.
    var auditSummary: Data? {
        var summary: [String: Any] = ["token_type": token_type ?? "bearer", "expires_in": expires_in,
                                      "access_token": "[redacted]", "refresh_token": refresh_token == nil ? "(none issued)" : "[redacted]"]
        if let refresh_token_expires_in { summary["refresh_token_expires_in"] = refresh_token_expires_in }
        if let scope { summary["scope"] = scope }
        if let owner_id { summary["owner_id"] = owner_id }
        return try? JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
    }
}
