/// Strips what has no business in a lead: control characters, and the bidirectional
/// overrides that can make text display differently from what it says.
///
/// One pass over the scalars, no Foundation: this runs on every field of every enquiry.
enum TextSanitizer {
    private static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: return true          // C0, DEL, C1
        case 0x202A...0x202E, 0x2066...0x2069: return true  // bidi embeddings, overrides, isolates
        case 0x200B, 0xFEFF: return true                    // zero-width space, stray BOM
        default: return false
        }
    }

    /// One line: controls dropped, tabs and line breaks become spaces, ends trimmed.
    static func singleLine(_ text: String) -> String { sanitize(text, multiLine: false) }

    /// Several lines: `\r\n` and `\r` become `\n`, tabs stay, other controls dropped, ends trimmed.
    static func multiLine(_ text: String) -> String { sanitize(text, multiLine: true) }

    private static func sanitize(_ text: String, multiLine: Bool) -> String {
        if isPlainASCII(text) { return text }
        var kept: [Unicode.Scalar] = []
        kept.reserveCapacity(text.utf8.count)
        var afterCarriageReturn = false
        for scalar in text.unicodeScalars {
            defer { afterCarriageReturn = scalar == "\r" }
            switch scalar {
            case "\r": kept.append(multiLine ? "\n" : " ")
            case "\n": if !afterCarriageReturn { kept.append(multiLine ? "\n" : " ") }
            case "\t": kept.append(multiLine ? "\t" : " ")
            default: if !isForbidden(scalar) { kept.append(scalar) }
            }
        }
        guard let first = kept.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = kept.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: kept[first...last])
        return String(result)
    }

    /// Printable ASCII with no space at either end: nothing to strip, the common case.
    private static func isPlainASCII(_ text: String) -> Bool {
        let bytes = text.utf8
        guard let first = bytes.first, let last = bytes.last, first != 0x20, last != 0x20 else { return bytes.isEmpty }
        return bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }
}
