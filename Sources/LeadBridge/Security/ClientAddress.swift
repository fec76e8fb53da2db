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
                return ClientAddress.normalize(hops[max(0, hops.count - config.trustedProxyHops)])
            }
        }
        return remoteAddress?.ipAddress.map(ClientAddress.normalize) ?? "unknown"
    }

    /// Whether the caller wants JSON rather than a page (API clients, fetch()).
    var prefersJSON: Bool {
        let accept = headers.first(name: .accept) ?? ""
        return accept.contains("application/json") && !accept.contains("text/html")
    }
}
