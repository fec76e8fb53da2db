#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An IPv4 or IPv6 address as its bytes, for the checks that depend on where an address is:
/// which proxies are ours (`TRUSTED_PROXIES`), whether the server listens beyond this machine,
/// and whether a provider's address is on a private network.
struct IPAddress: Equatable, Sendable {
    /// 4 bytes (IPv4) or 16 (IPv6). An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is IPv4.
    let bytes: [UInt8]

    /// A literal address in its standard form (`203.0.113.9`, `2001:db8::1`, `[::1]`).
    init?(_ text: String) {
        var text = text.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text.contains(":") {
            var storage = in6_addr()
            guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
            let bytes = withUnsafeBytes(of: &storage) { Array($0) }
            self.bytes = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff ? Array(bytes[12..<16]) : bytes
        } else {
            var storage = in_addr()
            guard inet_pton(AF_INET, text, &storage) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &storage) { Array($0) }
        }
    }

    /// A host as a URL or a resolver may read it: also IPv4 in the shorthand forms the C
    /// resolver accepts (`127.1`, `0x7f.0.0.1`, `2130706433`), which an HTTP client connects
    /// to as readily as the standard form.
    init?(host: String) {
        if let standard = IPAddress(host) { self = standard; return }
        guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == "x" || $0 == "X" }) else { return nil }
        var storage = in_addr()
        guard inet_aton(host, &storage) != 0 else { return nil }
        bytes = withUnsafeBytes(of: &storage) { Array($0) }
    }

    var isIPv4: Bool { bytes.count == 4 }

    /// 127.0.0.0/8 and ::1.
    var isLoopback: Bool {
        isIPv4 ? bytes[0] == 127 : bytes == Array(repeating: 0, count: 15) + [1]
    }

    /// 0.0.0.0/8 or `::`: as a listening address, every interface.
    var isUnspecified: Bool {
        isIPv4 ? bytes[0] == 0 : bytes.allSatisfy { $0 == 0 }
    }

    /// 10/8, 172.16/12, 192.168/16, and IPv6's unique local fc00::/7.
    var isPrivate: Bool {
        if isIPv4 { return bytes[0] == 10 || (bytes[0] == 172 && (16...31).contains(bytes[1])) || (bytes[0] == 192 && bytes[1] == 168) }
        return bytes[0] & 0xfe == 0xfc
    }

    /// 169.254/16 (where clouds keep their metadata service) and fe80::/10.
    var isLinkLocal: Bool {
        isIPv4 ? bytes[0] == 169 && bytes[1] == 254 : bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80
    }
}

/// A block of addresses, `10.0.0.0/8` or `2001:db8::/32`; a bare address is a block of one.
struct CIDR: Equatable, Sendable {
    let network: IPAddress
    let prefixLength: Int

    init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = IPAddress(String(parts[0])) else { return nil }
        let bits = address.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length), parts[1].allSatisfy(\.isNumber) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        network = address
    }

    func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for (mine, theirs) in zip(network.bytes, address.bytes) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xff : ~(0xff >> UInt8(remaining))
            guard mine & mask == theirs & mask else { return false }
            remaining -= 8
        }
        return true
    }
}
