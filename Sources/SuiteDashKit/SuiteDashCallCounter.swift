import Foundation
import NIOConcurrencyHelpers

/// Counts every request a client sends, by endpoint: SuiteDash plans allow a monthly number
/// of API calls, so every call is worth knowing about.
public final class SuiteDashCallCounter: Sendable {
    private let counts = NIOLockedValueBox<[String: Int]>([:])

    public init() {}

    func record(_ endpoint: String) { counts.withLockedValue { $0[endpoint, default: 0] += 1 } }

    /// Calls so far, by endpoint such as "GET /contact/{id}".
    public var byEndpoint: [String: Int] { counts.withLockedValue { $0 } }
    public var total: Int { counts.withLockedValue { $0.values.reduce(0, +) } }
}
