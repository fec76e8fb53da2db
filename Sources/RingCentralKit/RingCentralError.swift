import Foundation

/// Everything that can go wrong talking to RingCentral, carrying RingCentral's own
/// `errorCode` where it sent one: callers branch on the code, never on the message.
public enum RingCentralError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No tokens are stored: the admin has not connected RingCentral (or disconnected it).
    case notConnected
    /// The refresh token was refused (`invalid_grant`): only a new authorisation helps.
    case reauthorizationRequired(String)
    /// The client id / secret pair was refused by the token endpoint.
    case invalidClient(String)
    /// 401 on an API call, after the one refresh-and-retry the policy allows.
    case unauthorized(errorCode: String?, message: String)
    /// 429 after the retries the client allows; `retryAfter` in seconds.
    case rateLimited(group: RingCentralRateLimitGroup, retryAfter: TimeInterval)
    /// Any other 4xx: RingCentral refused the request; `parameterName` says which field, when it says.
    case request(status: Int, errorCode: String?, message: String, parameterName: String?)
    /// 5xx.
    case server(status: Int, message: String)
    /// No HTTP answer (refused connection, DNS, timeout).
    case transport(String)
    /// An answer that is not the documented JSON.
    case unexpectedResponse(String)

    /// RingCentral's code, like "OAU-128" or "CMN-301", when there is one.
    public var errorCode: String? {
        switch self {
        case .unauthorized(let code, _), .request(_, let code, _, _): return code
        case .rateLimited: return "CMN-301"
        case .reauthorizationRequired: return "invalid_grant"
        default: return nil
        }
    }

    /// True when nothing but the admin connecting again can fix this.
    public var needsReauthorization: Bool {
        switch self {
        case .reauthorizationRequired, .notConnected, .invalidClient: return true
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
        case .invalidClient(let message): return "RingCentral refused the client id or secret: \(message)"
        case .unauthorized(let code, let message):
            return "RingCentral refused the access token" + (code.map { " (\($0))" } ?? "") + ": \(message)"
        case .rateLimited(let group, let retryAfter):
            return "RingCentral is rate limiting the \(group.rawValue) group; retry after \(retryAfter.isFinite ? Int(min(retryAfter, 86_400).rounded(.up)) : 60) s."
        case .request(let status, let code, let message, let parameter):
            var text = "RingCentral refused the request (\(status)"
            if let code { text += ", \(code)" }
            text += "): \(message)"
            if let parameter { text += " [\(parameter)]" }
            return text
        case .server(let status, let message): return "RingCentral had a server error (\(status)): \(message)"
        case .transport(let message): return "RingCentral could not be reached: \(message)"
        case .unexpectedResponse(let message): return "RingCentral answered in an unexpected way: \(message)"
        }
    }
}
