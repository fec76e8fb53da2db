import Foundation

/// What a visitor typed, made fit to be quoted in a text the business sends. A name or company
/// from a public form is a claim anyone can make, and a phone makes every address in a text a
/// tap: quoted as typed, two form posts could send a stranger a phishing link from the
/// business's registered number. So what is quoted is plain words, on one line, short.
enum VisitorWords {
    /// Control characters, format characters (bidi overrides and isolates, zero-width joiners and
    /// spaces, which can reorder or hide what a text says) and line or paragraph separators
    /// become spaces; runs of spaces become one.
    static func plain(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                scalars.append(" ")
            default: scalars.append(scalar)
            }
        }
        return String(scalars).split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The words with every web or email address replaced by `replacement` (or dropped when nil).
    static func withoutLinks(_ text: String, replacement: String? = "[link]") -> String {
        text.split(separator: " ", omittingEmptySubsequences: false)
            .compactMap { looksLikeAddress($0) ? replacement : String($0) }
            .joined(separator: " ").split(separator: " ").joined(separator: " ")
    }

    /// A value for a text to a lead: plain, without addresses, at most `limit` UTF-16 units (as
    /// RingCentral counts), cut at a word where one ends in time.
    static func forText(_ text: String?, limit: Int) -> String? {
        guard let text else { return nil }
        let words = withoutLinks(plain(text), replacement: nil)
        guard !words.isEmpty else { return nil }
        var cut = ""
        for character in words {
            guard cut.utf16.count + String(character).utf16.count <= limit else {
                if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) >= limit / 2 { cut = String(cut[..<space]) }
                break
            }
            cut.append(character)
        }
        return cut.trimmingCharacters(in: .whitespaces)
    }

    /// `https://…`, `www.…`, an email address, or a name with a dot before two or more letters
    /// (`spam.test/x`, `Evil.Example.`), as phones detect them; "3.50", "p.m." and "e.g." are words.
    static func looksLikeAddress(_ word: Substring) -> Bool {
        let lower = word.lowercased()
        if lower.contains("://") || lower.hasPrefix("www.") { return true }
        let trimmed = lower.trimmingCharacters(in: CharacterSet(charactersIn: ".,;:!?)(\"'"))
        let afterAt = trimmed.split(separator: "@", omittingEmptySubsequences: false).last.map(String.init) ?? trimmed
        let host = afterAt.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, let tld = labels.last, labels.allSatisfy({ !$0.isEmpty }) else { return false }
        return tld.count >= 2 && tld.allSatisfy { $0.isLetter && $0.isASCII }
            && labels.dropLast().allSatisfy { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }
    }
}
