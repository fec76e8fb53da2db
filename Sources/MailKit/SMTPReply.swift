/// One reply: its three-digit code and its lines' text (`250-PIPELINING`, `250 SIZE` give two lines).
public struct SMTPReply: Sendable, Equatable {
    public let code: Int
    public let lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    public var text: String { lines.joined(separator: " ") }
    public var isPositive: Bool { (200..<400).contains(code) }

    /// The queue id a server gave the message it accepted ("250 2.0.0 Ok: queued as 4BvX2r1"),
    /// else the reply's text, which is what the server had to say about it.
    public var queueID: String {
        if let range = text.range(of: "queued as ", options: .caseInsensitive) {
            let id = text[range.upperBound...].split(separator: " ").first.map(String.init) ?? ""
            if !id.isEmpty { return id.trimmingCharacters(in: .init(charactersIn: "<>().,;")) }
        }
        return text
    }

    /// Accumulates reply lines until the last (`NNN text`, not `NNN-text`).
    struct Parser {
        private var code: Int?
        private var lines: [String] = []

        /// The finished reply, nil while more lines follow.
        mutating func feed(_ line: String) throws(SMTPError) -> SMTPReply? {
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let value = Int(String(decoding: bytes[0..<3], as: UTF8.self)), (200...599).contains(value) else {
                throw .unreadableReply(line)
            }
            let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
            guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else { throw .unreadableReply(line) }
            if let code, code != value { throw .unreadableReply(line) }
            code = value
            lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
            guard separator == UInt8(ascii: " ") else { return nil }
            defer { self = Parser() }
            return SMTPReply(code: value, lines: lines)
        }
    }
}
