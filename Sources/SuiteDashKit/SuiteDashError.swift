import Foundation

/// Everything that can go wrong talking to SuiteDash, in the words a person needs.
public enum SuiteDashError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 401: the Public ID / Secret Key pair was refused.
    case unauthorized(String)
    /// 404 for an operation that needed the record to exist.
    case notFound(String)
    /// 400/422: SuiteDash refused the data; the message is SuiteDash's own.
    case validation(String)
    /// 429; `retryAfter` from the header when SuiteDash sent one.
    case rateLimited(retryAfter: TimeInterval?)
    /// 5xx.
    case server(status: Int, message: String)
    /// The request never got an HTTP answer (DNS, refused connection, timeout).
    case transport(String)
    /// An answer that is not the documented JSON.
    case unexpectedResponse(String)

    public var description: String {
        switch self {
        case .unauthorized(let message): return "SuiteDash refused the API keys (401): \(message)"
        case .notFound(let message): return "SuiteDash has no such record (404): \(message)"
        case .validation(let message): return "SuiteDash refused the data: \(message)"
        case .rateLimited(let retryAfter):
            return "SuiteDash is rate limiting (429)" + (retryAfter.map { "; retry after \(Int($0)) s" } ?? "")
        case .server(let status, let message): return "SuiteDash had a server error (\(status)): \(message)"
        case .transport(let message): return "SuiteDash could not be reached: \(message)"
        case .unexpectedResponse(let message): return "SuiteDash answered in an unexpected way: \(message)"
        }
    }
}
