/// One CSV cell, written per RFC 4180 and made safe to open in a spreadsheet.
enum CSVCell {
    /// Quotes when needed (comma, quote, line break, and the semicolon that spreadsheets in
    /// semicolon locales split on, which is also the tag separator), doubling inner quotes.
    static func quoted(_ text: String) -> String {
        guard text.utf8.contains(where: {
            $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D
        }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// OWASP's CSV-injection defence: a cell a spreadsheet could read as a formula (it starts
    /// with = + - @, a tab or a carriage return) gets a leading apostrophe, so it shows as text.
    /// An E.164 phone number (`+` and 8 to 15 digits) is left alone: digits cannot run anything,
    /// and SuiteDash's importer needs the `+` to read it as an international number.
    static func neutralised(_ text: String) -> String {
        guard let first = text.utf8.first else { return text }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D:
            if isE164(text) { return text }
            return "'" + text
        default:
            return text
        }
    }

    static func isE164(_ text: String) -> Bool {
        let bytes = text.utf8
        return bytes.first == UInt8(ascii: "+") && (9...16).contains(bytes.count)
            && bytes.dropFirst().allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// A cell as it is written: neutralised, then quoted.
    static func field(_ text: String) -> String { quoted(neutralised(text)) }
}
