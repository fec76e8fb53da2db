import Foundation
import Vapor

/// The address a person's browser is using for this server, and whether it is the one a
/// provider will send the browser back to. Cookies are per host, so an OAuth round trip that
/// leaves from `127.0.0.1` and returns to `localhost` arrives without the sign-in or state
/// cookie: a dead end that has to be caught before the person leaves.
enum BrowserOrigin {
    /// `scheme://host[:port]` of a URL, lower-cased, default ports dropped; nil for non-web text.
    static func of(_ text: String) -> String? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host?.lowercased(), !host.isEmpty else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        let port = url.port.flatMap { $0 == defaultPort ? nil : ":\($0)" } ?? ""
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(bracketed)\(port)"
    }

    /// The origin the browser sent this request from. A form post carries `Origin`; a page
    /// reached by a link from one of ours carries `Referer` (and `Sec-Fetch-Site: same-origin`);
    /// a typed address has neither, so it is rebuilt from `Host` (and the proxy's
    /// `X-Forwarded-*` when the operator trusts them), with the scheme of `APP_URL`.
    static func of(_ request: Request) -> String? {
        if let origin = request.headers.first(name: .origin), origin != "null" { return of(origin) }
        // Only our own page's Referer says where the browser is; a link from another site names that site.
        if request.headers.first(name: "Sec-Fetch-Site") == "same-origin",
           let referer = request.headers.first(name: .referer), let origin = of(referer) { return origin }
        let trust = request.trustsForwardedHeaders(config: request.services.config)
        let forwardedHost = trust ? request.headers.first(name: "X-Forwarded-Host")?.split(separator: ",").first.map(String.init) : nil
        guard let host = (forwardedHost ?? request.headers.first(name: .host))?.trimmingCharacters(in: .whitespaces),
              !host.isEmpty else { return nil }
        let forwardedProto = trust ? request.headers.first(name: "X-Forwarded-Proto")?.split(separator: ",").first.map(String.init) : nil
        let scheme = forwardedProto?.trimmingCharacters(in: .whitespaces)
            ?? (request.services.config.usesHTTPS ? "https" : "http")
        return of("\(scheme)://\(host)")
    }

    /// A sentence for a person whose browser is on another address than `target`'s, or nil
    /// when they match (or the request says too little to tell).
    static func mismatch(_ request: Request, returningTo target: String, page: String) -> String? {
        guard let browser = of(request), let expected = of(target), browser != expected else { return nil }
        return "You opened LeadBridge at \(browser), but RingCentral will send you back to \(expected), where this browser is not signed in. Open \(expected)\(page) and connect from there (or set APP_URL, or the redirect URI in these settings, to the address you use)."
    }
}
