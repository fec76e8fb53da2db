import Vapor

extension Request {
    /// Back to an admin page with a one-line notice for it to show (`?notice=`), and an
    /// optional `#fragment` to land on.
    func redirect(to path: String, notice: String, fragment: String? = nil) -> Response {
        let encoded = notice.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return redirect(to: path + "?notice=" + encoded + (fragment.map { "#" + $0 } ?? ""))
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
}
