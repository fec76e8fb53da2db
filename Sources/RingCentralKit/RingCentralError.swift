import Foundation

/// Everything that can go wrong talking to RingCentral, carrying RingCentral's own
/// error codes where it sent them: callers branch on the codes, never on the message.
public enum RingCentralError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No tokens are stored: the admin has not connected RingCentral (or disconnected it).
    case notConnected
    /// The refresh token was refused (`invalid_grant`): only a new authorisation helps.
    case reauthorizationRequired(String)
    /// The access token expired and RingCentral issued no refresh token to renew it (the app is
    /// set not to issue them), and there is no JWT credential to sign in with again.
    case noRefreshToken
    /// The JWT credential was refused (`invalid_grant`): revoked, expired or not this app's; only
    /// a new credential helps.
    case jwtRefused(String)
    /// The token store recorded earlier that only an admin can fix the connection (the reason
    /// is that earlier error's sentence); nothing is sent to RingCentral meanwhile.
    case awaitingReauthorization(String)
    /// The client id / secret pair was refused by the token endpoint (`invalid_client`).
    case invalidClient(String)
    /// The app may not use this sign-in (`unauthorized_client`, RFC 6749 §5.2: "not authorized
    /// to use this authorization grant type"): the grant type is not enabled for the app.
    case grantTypeNotAllowed(String)
    /// The authorization code from the redirect was refused (`invalid_grant` on the exchange):
    /// used already, expired (they last about a minute), or made for another redirect URI.
    case authorizationCodeRefused(String)
    /// 401 on an API call, after the one refresh-and-retry the policy allows. `errorCodes` holds
    /// every code the answer gave, the most specific first (see `RingCentralErrorParser`).
    case unauthorized(errorCodes: [String], message: String)
    /// 429 after the retries the client allows; `retryAfter` in seconds.
    case rateLimited(group: RingCentralRateLimitGroup, retryAfter: TimeInterval)
    /// 403 CMN-401 (`ofApp`: the app was not given the permission in the developer console) or
    /// CMN-408 (the connected user's role lacks it, set in RingCentral's admin portal).
    case permissionMissing(permission: String, ofApp: Bool, message: String)
    /// Any other 4xx: RingCentral refused the request; `parameterName` says which field, when it says.
    case request(status: Int, errorCodes: [String], message: String, parameterName: String?)
    /// 5xx.
    case server(status: Int, message: String)
    /// No HTTP answer (refused connection, DNS, timeout).
    case transport(String)
    /// An answer that is not the documented JSON.
    case unexpectedResponse(String)

    /// RingCentral's most specific code, like "OAU-128" rather than the "TokenInvalid" that
    /// comes with it, when there is one.
    public var errorCode: String? { errorCodes.first }

    /// Every code RingCentral gave, the most specific first.
    public var errorCodes: [String] {
        switch self {
        case .unauthorized(let codes, _), .request(_, let codes, _, _): return codes
        case .rateLimited: return ["CMN-301"]
        case .permissionMissing(_, let ofApp, _): return [ofApp ? "CMN-401" : "CMN-408"]
        case .reauthorizationRequired, .jwtRefused: return ["invalid_grant"]
        default: return []
        }
    }

    /// True when nothing but the admin connecting again can fix this.
    public var needsReauthorization: Bool {
        switch self {
        case .reauthorizationRequired, .noRefreshToken, .jwtRefused, .awaitingReauthorization, .notConnected, .invalidClient: return true
        default: return false
        }
    }

    /// Worth trying again later without anyone changing anything.
    public var isTransient: Bool {
        switch self {
        case .rateLimited, .server, .transport: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .notConnected: return "RingCentral is not connected: an admin must connect it first."
        case .reauthorizationRequired(let reason):
            return "RingCentral refused the refresh token (\(reason)): an admin must reconnect RingCentral."
        case .noRefreshToken:
            return "The access token has expired and RingCentral issued no refresh token to renew it: an admin must reconnect RingCentral."
        case .jwtRefused(let reason):
            return "RingCentral refused the JWT credential (\(reason)): create a new one in RingCentral's developer console."
        case .awaitingReauthorization(let reason): return reason
        case .invalidClient(let message): return "RingCentral refused the client id or secret: \(message)"
        case .grantTypeNotAllowed(let message):
            return "RingCentral does not let this app sign in this way (unauthorized_client: \(message)): in RingCentral's developer console, enable the grant type for the app (Authorization Code for Connect, JWT Bearer for a JWT credential)."
        case .authorizationCodeRefused(let reason):
            return "RingCentral refused the sign-in's authorization code (\(reason)): press Connect RingCentral again. A code works once and lasts about a minute, and the redirect URI must match the app's."
        case .unauthorized(let codes, let message):
            return "RingCentral refused the access token" + (codes.isEmpty ? "" : " (\(codes.joined(separator: ", ")))") + ": \(message)"
        case .rateLimited(let group, let retryAfter):
            return "RingCentral is rate limiting the \(group.rawValue) group; retry after \(retryAfter.isFinite ? Int(min(retryAfter, 86_400).rounded(.up)) : 60) s."
        case .permissionMissing(let permission, true, _):
            return "The RingCentral app does not have the \(permission) permission (CMN-401): add it to the app in RingCentral's developer console, then press Reconnect."
        case .permissionMissing(let permission, false, _):
            return "The connected RingCentral user may not do this: their role lacks the \(permission) permission (CMN-408). Give the role that permission in RingCentral's admin portal (Users > Roles), or connect as a user who has it."
        case .request(let status, let codes, let message, let parameter):
            var text = "RingCentral refused the request (\(status)"
            if let code = codes.first { text += ", \(code)" }
            text += "): \(message)"
            if let parameter { text += " [\(parameter)]" }
            return text
        case .server(let status, let message): return "RingCentral had a server error (\(status)): \(message)"
        case .transport(let message): return "RingCentral could not be reached: \(message)"
        case .unexpectedResponse(let message): return "RingCentral answered in an unexpected way: \(message)"
        }
    }
}
