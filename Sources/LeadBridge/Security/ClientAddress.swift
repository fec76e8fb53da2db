import Vapor

extension Request {
    /// The visitor's IP: the first `X-Forwarded-For` hop when `TRUST_PROXY_HEADERS` is on
    /// (behind a reverse proxy), else the socket's peer.
    func clientIP(trustProxyHeaders: Bool) -> String {
        if trustProxyHeaders,
           let forwarded = headers.first(name: .xForwardedFor)?.split(separator: ",").first {
            let hop = forwarded.trimmingCharacters(in: .whitespaces)
            if !hop.isEmpty { return String(hop.prefix(45)) }
        }
        return remoteAddress?.ipAddress ?? "unknown"
    }

    /// Whether the caller wants JSON rather than a page (API clients, fetch()).
    var prefersJSON: Bool {
        let accept = headers.first(name: .accept) ?? ""
        return accept.contains("application/json") && !accept.contains("text/html")
    }
}
