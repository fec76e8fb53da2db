import NIOCore

/// How patient a client is. A person waiting on a button wants an answer in seconds; a
/// background sync can wait out a window.
public struct RingCentralClientOptions: Sendable {
    public var timeout: TimeAmount = .seconds(20)
    /// The longest the client waits for a rate-limit slot (or a penalty) before giving up
    /// with `RingCentralError.rateLimited` and the time left.
    public var maxPacingWait: Double = .infinity
    /// 429 answers waited out and retried before giving up.
    public var rateLimitRetries = 2
    /// Refresh when the access token expires within this many seconds (the guide: 5 minutes),
    /// or within half its life when RingCentral issues shorter-lived tokens.
    public var refreshMargin: Double = 300
    public var maxResponseBytes = 16 * 1024 * 1024

    public init() {}

    public static var interactive: RingCentralClientOptions {
        var options = RingCentralClientOptions()
        options.maxPacingWait = 10
        options.rateLimitRetries = 0
        return options
    }
}
