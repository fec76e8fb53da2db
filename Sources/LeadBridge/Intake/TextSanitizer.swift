/// Strips what has no business in a lead: control characters, and the bidirectional
/// overrides that can make text display differently from what it says.
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
    static func singleLine(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\t" || scalar == "\n" || scalar == "\r" { scalars.append(" ") }
            else if !isForbidden(scalar) { scalars.append(scalar) }
        }
        return String(scalars).trimmingCharacters(in: .whitespaces)
    }

    /// Several lines: `\r\n` and `\r` become `\n`, tabs stay, other controls dropped.
    static func multiLine(_ text: String) -> String {
        let unified = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var scalars = String.UnicodeScalarView()
        for scalar in unified.unicodeScalars where scalar == "\n" || scalar == "\t" || !isForbidden(scalar) {
            scalars.append(scalar)
        }
        return String(scalars).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
