import Foundation

/// What a visitor typed, made fit for an email the business sends: the same rule as staff
/// texts (`VisitorWords`), line by line so a message keeps its paragraphs. Mail readers make
/// every address a link, and a spammer's must not arrive looking like ours: each becomes
/// "[link]". HTML gets it escaped.
enum EmailWords {
    /// Plain words on one line, without links, at most `limit` characters.
    static func line(_ text: String?, limit: Int = 200) -> String {
        guard let text else { return "" }
        return LeadAlertText.clip(text, limit)
    }

    /// A message's lines, each plain and without links; blank lines kept once.
    static func paragraphs(_ text: String?, limit: Int = 5000) -> String {
        guard let text, !text.isEmpty else { return "" }
        let lines = String(text.prefix(limit)).replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { VisitorWords.withoutLinks(VisitorWords.plain(String($0))) }
        var kept: [String] = []
        for line in lines where !(line.isEmpty && (kept.last?.isEmpty ?? true)) { kept.append(line) }
        return kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func html(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\n": escaped += "<br>\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A page around the HTML part: inline styles only, as mail readers drop style sheets.
    static func page(_ body: String) -> String {
        """
        <!doctype html>
        <html><head><meta charset="utf-8"></head>
        <body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; color: #1f2933; line-height: 1.45;">
        \(body)
        </body></html>
        """
    }

    static func base(_ appURL: String) -> String { appURL.hasSuffix("/") ? String(appURL.dropLast()) : appURL }
}
