import Foundation

/// Strict E.164 for numbers an admin types (RingCentral accepts nothing else): a `+`, a
/// country code that does not start with 0, 7 to 15 digits in all. Spaces, dots, dashes
/// and brackets are forgiven; letters and missing `+` are not.
enum PhoneNumber {
    static func e164(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("+"), trimmed.count <= 30 else { return nil }
        let rest = trimmed.dropFirst().filter { !" .-()".contains($0) }
        guard (7...15).contains(rest.count), rest.allSatisfy({ $0.isASCII && $0.isNumber }), rest.first != "0" else { return nil }
        return "+" + rest
    }
}
