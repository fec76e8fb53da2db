import Foundation

/// Writes a `MailMessage` as RFC 5322 / MIME text with CRLF line ends: `multipart/alternative`
/// (text first, HTML last, as readers prefer the last they can show), each part UTF-8 in
/// quoted-printable, so no line is longer than 76 characters whatever the body holds (SMTP
/// allows 998). Headers outside ASCII are RFC 2047 encoded words. Dot-stuffing is the
/// transport's (`SMTPData.stuffed`), not the message's.
public enum MIMEWriter {
    public static func render(_ message: MailMessage, boundary: String = "lb-" + UUID().uuidString) -> String {
        var lines: [String] = []
        lines.append("Date: " + rfc5322Date(message.date))
        lines.append(header("From", address(message.from)))
        lines.append(header("To", message.to.map(address).joined(separator: ", ")))
        if let replyTo = message.replyTo { lines.append(header("Reply-To", address(replyTo))) }
        lines.append("Message-ID: <" + (message.messageID.map(cleanID) ?? (UUID().uuidString.lowercased() + "@" + message.from.domain)) + ">")
        lines.append(header("Subject", encodedText(message.subject.value)))
        for extra in message.headers where isHeaderName(extra.name) {
            lines.append(header(extra.name, encodedText(extra.value.value)))
        }
        lines.append("MIME-Version: 1.0")
        if let html = message.html {
            lines.append("Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("--" + boundary)
            lines += part("text/plain", message.text)
            lines.append("--" + boundary)
            lines += part("text/html", html)
            lines.append("--" + boundary + "--")
        } else {
            lines += part("text/plain", message.text)
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private static func part(_ type: String, _ body: String) -> [String] {
        ["Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "", quotedPrintable(body)]
    }

    // MARK: Headers

    /// `Name: value`, folded at spaces so no line passes 78 characters where it can be helped.
    static func header(_ name: String, _ value: String) -> String {
        var lines: [String] = []
        var line = name + ":"
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if line.utf8.count + 1 + word.utf8.count > 78, line.utf8.count > name.utf8.count + 1 {
                lines.append(line)
                line = ""
            }
            line += " " + word
        }
        lines.append(line)
        return lines.joined(separator: "\r\n")
    }

    static func address(_ mailbox: MailAddress) -> String {
        guard let name = mailbox.name else { return "<" + mailbox.address + ">" }
        return displayName(name.value) + " <" + mailbox.address + ">"
    }

    /// A phrase: as it is when plain atoms, quoted when it holds specials, encoded outside ASCII.
    static func displayName(_ name: String) -> String {
        if !isPrintableASCII(name) || name.contains("=?") { return encodedWords(name) }
        let atomBytes = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ".utf8)
        if name.utf8.allSatisfy(atomBytes.contains) { return name }
        return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Unstructured text (a subject): as it is in ASCII, else encoded words.
    static func encodedText(_ text: String) -> String {
        isPrintableASCII(text) && !text.contains("=?") ? text : encodedWords(text)
    }

    /// RFC 2047 `=?UTF-8?B?…?=` words, each at most 75 characters, split between characters
    /// (never inside one), separated by spaces, where the header is folded.
    static func encodedWords(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            // 39 bytes become 52 base64 characters: with "=?UTF-8?B?" and "?=", 64, so even the
            // first word after "Reply-To: " keeps its line within 78.
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: " ")
    }

    static func isPrintableASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }

    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }
    }

    private static func cleanID(_ id: String) -> String {
        String(id.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">" }.map(Character.init))
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    // MARK: Bodies

    /// Quoted-printable (RFC 2045 §6.7) of UTF-8 text: line ends become CRLF, soft breaks keep
    /// every line within 76 characters, and a space or tab before a line end is encoded.
    public static func quotedPrintable(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var out: [String] = []
        for sourceLine in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(sourceLine.utf8)
            var line = ""
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let token: String
                if (byte == 0x20 || byte == 0x09) && isLast {
                    token = String(format: "=%02X", byte)
                } else if (byte >= 0x21 && byte <= 0x7E && byte != 0x3D) || byte == 0x20 || byte == 0x09 {
                    token = String(UnicodeScalar(byte))
                } else {
                    token = String(format: "=%02X", byte)
                }
                // Room for the soft break's "=": 75 characters of content a line.
                if line.utf8.count + token.utf8.count > 75 {
                    out.append(line + "=")
                    line = ""
                }
                line += token
            }
            out.append(line)
        }
        return out.joined(separator: "\r\n")
    }
}
