import Vapor

extension Request {
    /// Back to an admin page with a one-line notice for it to show (`?notice=`), and an
    /// optional `#fragment` to land on. The notice is signed (`&ns=`, an HMAC under APP_KEY):
    /// a page shows only notices this server wrote, never text someone put in a link.
    func redirect(to path: String, notice: String, fragment: String? = nil) -> Response {
        let encoded = notice.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let signature = services.secrets.mac(notice, purpose: Self.noticePurpose)
        let separator = path.contains("?") ? "&" : "?"
        return redirect(to: path + separator + "notice=" + encoded + "&ns=" + signature + (fragment.map { "#" + $0 } ?? ""))
    }

    private static let noticePurpose = "admin-notice"

    /// The page's notice, if the server wrote it (its signature holds); nil otherwise.
    var notice: String? {
        guard let text = try? query.get(String.self, at: "notice"), let signature = try? query.get(String.self, at: "ns"),
              SecureToken.constantTimeEquals(signature, services.secrets.mac(text, purpose: Self.noticePurpose)) else { return nil }
        return text
    }

    /// `?page=`: 1 when absent or nonsense, and never so large that an offset overflows.
    var pageNumber: Int {
        min(max(1, (try? query.get(Int.self, at: "page")) ?? 1), 100_000)
    }
}

/// What admin forms send, tidied.
enum FormText {
    /// The field on one line, or nil when it is empty: "leave empty to keep".
    static func nonEmpty(_ text: String?) -> String? {
        let trimmed = TextSanitizer.singleLine(text ?? "")
        return trimmed.isEmpty ? nil : trimmed
    }

    /// An http(s) address with a host, short enough to store: what a provider's server or
    /// callback field must hold.
    static func isWebAddress(_ text: String) -> Bool {
        (text.hasPrefix("https://") || text.hasPrefix("http://")) && URL(string: text)?.host != nil && text.count <= 500
    }

    /// Where a provider's keys may be sent: https, or plain http to this machine only (the
    /// sandbox). Keys in plain http would cross the network readable.
    static func isProviderAddress(_ text: String) -> Bool {
        guard isWebAddress(text) else { return false }
        return text.lowercased().hasPrefix("https://") || ["127.0.0.1", "localhost", "::1", "[::1]"].contains(URL(string: text)?.host ?? "")
    }
}
