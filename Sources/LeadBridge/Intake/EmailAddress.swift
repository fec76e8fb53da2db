/// A pragmatic email check: what real mail systems accept, not the whole of RFC 5322.
/// Works on bytes: anything outside ASCII is refused (internationalised domains arrive as `xn--`).
enum EmailAddress {
    private static let localBytes = byteSet("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-")
    private static let labelBytes = byteSet("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")

    private static func byteSet(_ characters: String) -> [Bool] {
        var set = [Bool](repeating: false, count: 128)
        for byte in characters.utf8 { set[Int(byte)] = true }
        return set
    }

    /// The address, lower-cased so the same person is one contact, or nil when it cannot be delivered to.
    static func normalize(_ input: String) -> String? {
        var bytes = Array(input.utf8)
        while bytes.last == 0x20 || bytes.last == 0x09 { bytes.removeLast() }
        let start = bytes.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? bytes.endIndex
        let address = bytes[start...]
        guard address.count <= 254, address.allSatisfy({ $0 < 128 }),
              let at = address.firstIndex(of: UInt8(ascii: "@")),
              address[(at + 1)...].firstIndex(of: UInt8(ascii: "@")) == nil else { return nil }
        let local = address[..<at], domain = address[(at + 1)...]

        guard (1...64).contains(local.count), local.allSatisfy({ localBytes[Int($0)] }),
              local.first != UInt8(ascii: "."), local.last != UInt8(ascii: "."),
              !hasDoubleDot(local) else { return nil }

        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return nil }
        for label in labels {
            guard (1...63).contains(label.count), label.allSatisfy({ labelBytes[Int($0)] }),
                  label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else { return nil }
        }
        let tld = labels[labels.count - 1]
        let isPunycode = tld.starts(with: "xn--".utf8)
        guard tld.count >= 2, isPunycode || tld.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) else { return nil }
        return String(decoding: address, as: UTF8.self).lowercased()
    }

    private static func hasDoubleDot(_ bytes: ArraySlice<UInt8>) -> Bool {
        zip(bytes, bytes.dropFirst()).contains { $0 == UInt8(ascii: ".") && $1 == UInt8(ascii: ".") }
    }
}
