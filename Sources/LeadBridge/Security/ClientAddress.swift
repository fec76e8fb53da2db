import Vapor

extension Request {
    /// The visitor's IP. Behind your own proxies (`TRUST_PROXY_HEADERS`), each appends the
    /// address it saw to `X-Forwarded-For`, so only the rightmost `TRUSTED_PROXY_HOPS` entries
    /// are written by someone we trust: the client's address is the entry that many places
    /// from the right. Everything left of it is whatever the client sent, so it never counts
    /// (a rotating forged header must not buy fresh rate limits). Without the header, or
    /// without trust, the socket's peer.
    func clientIP(config: AppConfig) -> String {
        if config.trustProxyHeaders {
            let hops = headers[.xForwardedFor].flatMap { $0.split(separator: ",") }
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if !hops.isEmpty {
                return String(hops[max(0, hops.count - config.trustedProxyHops)].prefix(45))
            }
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }

    /// Whether the caller wants JSON rather than a page (API clients, fetch()).
    var prefersJSON: Bool {
        let accept = headers.first(name: .accept) ?? ""
        return accept.contains("application/json") && !accept.contains("text/html")
    }
}
