/// One mailbox: an address a server will route, and an optional display name. The address is
/// checked when made (ASCII, one `@`, no spaces, brackets or control characters), so it can be
/// written into `MAIL FROM`, `RCPT TO` and a header as it is.
public struct MailAddress: Sendable, Equatable, CustomStringConvertible {
    public let address: String
    public let name: MailHeaderText?

    public init(_ address: String, name: String? = nil) throws(MailAddressError) {
        let trimmed = address.trimmingSpaces()
        guard Self.isRoutable(trimmed) else { throw .invalid(trimmed) }
        self.address = trimmed
        let displayName = name.map { MailHeaderText($0) }
        self.name = displayName?.isEmpty == false ? displayName : nil
    }

    /// The domain after `@`, for a `Message-ID`.
    public var domain: String { String(address[address.index(after: address.lastIndex(of: "@")!)...]) }

    public var description: String { address }

    private static let forbidden = Set("<>()[]\\,;:\"".utf8)

    static func isRoutable(_ address: String) -> Bool {
        let bytes = Array(address.utf8)
        guard (3...254).contains(bytes.count), bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !forbidden.contains($0) }) else { return false }
        let ats = bytes.indices.filter { bytes[$0] == UInt8(ascii: "@") }
        guard ats.count == 1, let at = ats.first, at > 0, at < bytes.count - 1 else { return false }
        return !bytes[(at + 1)...].starts(with: [UInt8(ascii: ".")]) && bytes.last != UInt8(ascii: ".")
    }
}

public enum MailAddressError: Error, Equatable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let address): return "\"\(address.prefix(80))\" is not an email address a mail server can deliver to."
        }
    }
}
