/// Text bound for a header (a subject, a display name): built only through `init`, which turns
/// every CR, LF and other control character into a space, so no value a visitor typed can end
/// a header and start another. The writer encodes it (RFC 2047) when it is not plain ASCII.
public struct MailHeaderText: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let value: String

    public init(_ text: String) {
        var scalars = String.UnicodeScalarView()
        var lastWasSpace = false
        for scalar in text.unicodeScalars {
            let isBreak = scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}"
                || scalar == "\u{85}"
            let isSpace = isBreak || scalar == " "
            if isSpace {
                if !lastWasSpace { scalars.append(" ") }
            } else {
                scalars.append(scalar)
            }
            lastWasSpace = isSpace
        }
        value = String(scalars).trimmingSpaces()
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var description: String { value }
    public var isEmpty: Bool { value.isEmpty }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
