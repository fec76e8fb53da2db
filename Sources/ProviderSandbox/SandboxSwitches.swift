import Foundation

/// How a sandboxed provider misbehaves, changed at run time by tests, demos and benchmarks.
public struct SandboxSwitches: Sendable, Equatable, Codable {
    /// Added to every answer.
    public var latencyMilliseconds: Int = 0
    /// Share of requests (0...1) answered with a 500.
    public var failureRate: Double = 0
    /// Every request answered with a 503.
    public var outage = false
    /// While set, every request is answered 429 with this Retry-After (seconds).
    public var rateLimitRetryAfter: Int? = nil
    /// While set, every create and update is refused with 422 and this message.
    public var validationMessage: String? = nil
    /// SuiteDash: while on, a contact without an email is refused whatever its role. Whether
    /// SuiteDash takes a Lead without one is unconfirmed; this lets tests prove either answer is handled.
    public var emailRequired = false
    /// While set, every API request is answered `307 Temporary Redirect` to this base URL plus
    /// the request's path: a hijacked or misconfigured server, for proving clients do not follow.
    public var redirectTo: String? = nil

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        latencyMilliseconds = try container.decodeIfPresent(Int.self, forKey: .latencyMilliseconds) ?? 0
        failureRate = try container.decodeIfPresent(Double.self, forKey: .failureRate) ?? 0
        outage = try container.decodeIfPresent(Bool.self, forKey: .outage) ?? false
        rateLimitRetryAfter = try container.decodeIfPresent(Int.self, forKey: .rateLimitRetryAfter)
        validationMessage = try container.decodeIfPresent(String.self, forKey: .validationMessage)
        redirectTo = try container.decodeIfPresent(String.self, forKey: .redirectTo)
        emailRequired = try container.decodeIfPresent(Bool.self, forKey: .emailRequired) ?? false
    }
}
