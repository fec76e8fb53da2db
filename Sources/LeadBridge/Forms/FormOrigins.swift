import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The websites a form trusts: who may post to it (`Origin`, or `Referer` where a browser sent
/// no Origin), embed it (`frame-ancestors`), read its answers (CORS) and be sent back to
/// (`_next`). LeadBridge's own address (APP_URL) is always one of them, for the hosted form.
///
/// A plain HTML form on another site cannot carry LeadBridge's CSRF cookie; the Origin check is
/// what takes its place: a browser writes that header itself and a page cannot forge it.
enum FormOrigins {
    /// `https://www.example.com` from what an admin typed (`www.example.com/contact`, a trailing
    /// slash, upper case); nil when it is not a web address.
    static func normalize(_ text: String) -> String? {
        var trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, !trimmed.contains(where: \.isWhitespace) else { return nil }
        if !trimmed.contains("://") { trimmed = "https://" + trimmed }
        guard let parts = URLComponents(string: trimmed), let scheme = parts.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = parts.host?.lowercased(), !host.isEmpty,
              !host.contains("*"), parts.user == nil else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        let port = parts.port.flatMap { $0 == defaultPort ? nil : ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)"
    }

    /// The origin a request says it came from: `Origin`, else the `Referer`'s origin.
    /// A sandboxed frame or a privacy setting sends `Origin: null`, which matches nothing.
    static func of(_ request: Request) -> String? {
        if let origin = request.headers.first(name: .origin) {
            if origin == "null" { return nil }
            // What browsers send is already in this form: no parse for every post (form-post bench).
            return isNormalOrigin(origin) ? origin : normalize(origin)
        }
        return request.headers.first(name: .referer).flatMap(normalize)
    }

    static func allowed(for form: WebForm, appURL: String) -> [String] {
        var list = form.origins
        if let own = appOrigin(appURL), !list.contains(own) { list.insert(own, at: 0) }
        return list
    }

    /// APP_URL's origin, worked out once per process rather than once per post.
    private static let appOrigins = NIOLockedValueBox<[String: String?]>([:])
    private static func appOrigin(_ appURL: String) -> String? {
        if let known = appOrigins.withLockedValue({ $0[appURL] }) { return known }
        let origin = normalize(appURL)
        appOrigins.withLockedValue { $0[appURL] = origin }
        return origin
    }

    /// `scheme://host[:port]` in lower case with no default port, path or user: `normalize`'s
    /// own output, which it would return unchanged.
    static func isNormalOrigin(_ text: String) -> Bool {
        let rest: Substring
        let defaultPort: String
        if text.hasPrefix("https://") { rest = text.dropFirst(8); defaultPort = ":443" }
        else if text.hasPrefix("http://") { rest = text.dropFirst(7); defaultPort = ":80" }
        else { return false }
        guard !rest.isEmpty, !rest.hasSuffix(defaultPort), rest.first != ":", rest.first != "." else { return false }
        var colons = 0
        for byte in rest.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"): continue
            case UInt8(ascii: ":"): colons += 1
            default: return false
            }
        }
        guard colons <= 1 else { return false }
        if colons == 1 {
            guard let port = rest.split(separator: ":").last, let number = Int(port), (1...65535).contains(number),
                  !port.hasPrefix("0") else { return false }
        }
        return true
    }

    /// Whether `address` (a `_next` or thank-you address) is on one of `origins`.
    static func isOn(_ address: String, _ origins: [String]) -> Bool {
        guard let parts = URLComponents(string: address), parts.scheme != nil, let origin = normalize(address),
              parts.user == nil else { return false }
        return origins.contains(origin)
    }
}
