#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vapor

/// Addresses as the limits must see them: one client, one key.
enum ClientAddress {
    /// The address alone: a port some proxies add (`203.0.113.9:51234`, `[2001:db8::1]:443`)
    /// is dropped, and an IPv4 address written as IPv6 (`::ffff:203.0.113.9`) reads as IPv4.
    /// Anything that is not an address is kept as it came, shortened.
    static func normalize(_ raw: String) -> String {
        var text = raw.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            text = String(text[text.index(after: text.startIndex)..<close])
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            text = String(text[..<colon])  // IPv4 with a port
        }
        if let bytes = ipv6Bytes(text) {
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
                return bytes[12..<16].map(String.init).joined(separator: ".")
            }
            return format(bytes, groups: 8)
        }
        return String(text.prefix(45))
    }

    /// The key a rate limit counts under: an IPv4 address, or an IPv6 address's /64, the block
    /// one household or server usually gets (counting each of its 2⁶⁴ addresses apart would
    /// give anyone with one block unlimited fresh tries).
    static func limitKey(_ address: String) -> String {
        key(address, prefixBytes: 8)
    }

    /// The sender an address stands for, as the per-address SuiteDash allowance counts it (kept
    /// in `contact_submissions.ip_network`): the intake limits' key, an IPv4 address or an IPv6
    /// /64. nil for what is not an address ("unknown").
    static func senderNetwork(_ address: String) -> String? {
        IPAddress(address) == nil ? nil : limitKey(normalize(address))
    }

    /// The key the sign-in limits count under: an IPv6 address's /56. Providers commonly hand a
    /// household or a rented server a /56 or a /48; by /64 one customer had 256 fresh budgets of
    /// guesses. Intake keeps the /64 (`limitKey`): a wrong guess there blocks a real enquiry.
    static func signInKey(_ address: String) -> String {
        key(address, prefixBytes: 7)
    }

    private static func key(_ address: String, prefixBytes: Int) -> String {
        guard let bytes = ipv6Bytes(address) else { return address }
        return format(Array(bytes[0..<prefixBytes]) + Array(repeating: 0, count: 16 - prefixBytes), groups: 4)
            + "::/\(prefixBytes * 8)"
    }

    private static func ipv6Bytes(_ text: String) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        var storage = in6_addr()
        guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
        return withUnsafeBytes(of: &storage) { Array($0) }
    }

    /// Groups of 16 bits in lowercase hex, the first `groups` of them.
    private static func format(_ bytes: [UInt8], groups: Int) -> String {
        (0..<groups).map { String(UInt16(bytes[$0 * 2]) << 8 | UInt16(bytes[$0 * 2 + 1]), radix: 16) }.joined(separator: ":")
    }
}

extension AppConfig {
    /// True when `address` is in one of `TRUSTED_PROXIES`' blocks.
    func isTrustedProxy(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}

extension Request {
    /// The visitor's IP. Behind your own proxies each appends the address it saw to
    /// `X-Forwarded-For`, so only the entries they wrote, at the right, can be believed;
    /// everything further left is whatever the client sent, and never counts (a rotating forged
    /// header must not buy fresh rate limits).
    ///
    /// - With `TRUSTED_PROXIES`: the header counts only when the socket's peer is one of them,
    ///   and the client is the first address from the right that is not.
    /// - With `TRUST_PROXY_HEADERS` alone: the entry `TRUSTED_PROXY_HOPS` places from the right.
    ///
    /// Without the header, or without trust, the socket's peer.
    func clientIP(config: AppConfig) -> String {
        let peer = remoteAddress?.ipAddress.map(ClientAddress.normalize) ?? "unknown"
        guard trustsForwardedHeaders(config: config) else { return peer }
        let hops = headers[.xForwardedFor].flatMap { $0.split(separator: ",") }
            .map { ClientAddress.normalize(String($0)) }.filter { !$0.isEmpty }
        guard !hops.isEmpty else { return peer }
        guard !config.trustedProxies.isEmpty else { return hops[max(0, hops.count - config.trustedProxyHops)] }
        return hops.last { hop in !(IPAddress(hop).map(config.isTrustedProxy) ?? false) } ?? hops[0]
    }

    /// Whether this request's `X-Forwarded-*` headers were written by a proxy of ours: trust
    /// is on, and (with `TRUSTED_PROXIES`) the socket's peer is one of the listed proxies.
    func trustsForwardedHeaders(config: AppConfig) -> Bool {
        guard config.trustProxyHeaders else { return false }
        guard !config.trustedProxies.isEmpty else { return true }
        return remoteAddress?.ipAddress.flatMap { IPAddress(ClientAddress.normalize($0)) }.map(config.isTrustedProxy) ?? false
    }

    /// The socket's peer, when the request carries a proxy's forwarding headers that are not
    /// trusted: the visitor's address is then the peer's, which behind a CDN or a load balancer
    /// left out of TRUSTED_PROXIES makes every visitor one. nil when trusted or not forwarded.
    func untrustedForwarder(config: AppConfig) -> String? {
        guard !trustsForwardedHeaders(config: config) else { return nil }
        // Only the header `clientIP` reads: were others flagged, trusting the proxy would quiet
        // the warning while every visitor still looked like it.
        guard headers.contains(name: .xForwardedFor) else { return nil }
        return remoteAddress?.ipAddress.map(ClientAddress.normalize)
    }

    /// Whether the caller wants JSON rather than a page (API clients, fetch()).
    var prefersJSON: Bool {
        let accept = headers.first(name: .accept) ?? ""
        return accept.contains("application/json") && !accept.contains("text/html")
    }
}
