/// The message as it crosses in `DATA`: every line end CRLF, a line starting with "." given a
/// second one (RFC 5321 §4.5.2) so no line of the message can end it early, and the final
/// "CRLF.CRLF".
public enum SMTPData {
    public static func stuffed(_ message: String) -> String {
        let normalized = message.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = normalized.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix(".") ? "." + line : String(line)
        }
        if lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\r\n") + "\r\n.\r\n"
    }
}
