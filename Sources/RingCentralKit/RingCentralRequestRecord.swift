import Foundation

/// One request the client made, for whoever keeps an audit trail. It never holds a token,
/// a code or the client secret: those travel in headers or are replaced before recording.
public struct RingCentralRequestRecord: Sendable {
    /// Like "POST /restapi/v1.0/account/~/extension/~/ring-out".
    public let endpoint: String
    public let group: RingCentralRateLimitGroup
    public let requestBody: Data?
    /// nil when no HTTP answer came back.
    public let status: Int?
    public let responseBody: Data?
    public let durationMilliseconds: Int
    public let error: RingCentralError?
}

public typealias RingCentralRequestObserver = @Sendable (RingCentralRequestRecord) async -> Void
