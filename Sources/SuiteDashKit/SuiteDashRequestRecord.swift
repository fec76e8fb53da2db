import Foundation

/// One request the client made, for whoever keeps an audit trail. It never holds the
/// credentials: they travel in headers, which are not recorded.
public struct SuiteDashRequestRecord: Sendable {
    /// Like "PUT /contact/{id}".
    public let endpoint: String
    public let path: String
    public let requestBody: Data?
    /// nil when no HTTP answer came back.
    public let status: Int?
    public let responseBody: Data?
    public let durationMilliseconds: Int
    public let error: SuiteDashError?
}

public typealias SuiteDashRequestObserver = @Sendable (SuiteDashRequestRecord) async -> Void
