import Vapor

/// Headers that keep pages from being framed, sniffed or leaking referrers, on every response.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    let usesHTTPS: Bool

    private static let contentSecurityPolicy = policy(frameAncestors: "'none'")

    /// Every page's policy. A hosted form (`/f/{slug}`) lists its websites as the frame's
    /// ancestors and as where the form may go (Chromium applies form-action to the redirect to
    /// a thank-you page on the website too).
    /// A page showing a captcha widget (`captcha`) lets in that provider's script, frame,
    /// styles and calls as its documentation asks, and nothing more.
    static func policy(frameAncestors: String, formAction: String = "'self'", captcha: CaptchaSources? = nil) -> String {
        func with(_ extra: [String]?) -> String { (["'self'"] + (extra ?? [])).joined(separator: " ") }
        var directives = [
            "default-src 'self'", "script-src \(with(captcha?.script))", "style-src \(with(captcha?.style))", "img-src 'self' data:",
        ]
        if let captcha {
            directives += ["frame-src \(with(captcha.frame))", "connect-src \(with(captcha.connect))"]
        }
        return (directives + [
            "form-action \(formAction)", "frame-ancestors \(frameAncestors)", "base-uri 'none'", "object-src 'none'",
        ]).joined(separator: "; ")
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let policy = request.captchaSources.map { Self.policy(frameAncestors: "'none'", captcha: $0) } ?? Self.contentSecurityPolicy
        let headers = [
            ("Content-Security-Policy", policy),
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
        for (name, value) in headers where !response.headers.contains(name: name) {
            response.headers.replaceOrAdd(name: name, value: value)
        }
        // A route that lets some sites frame it says so in frame-ancestors and sets this empty.
        if response.headers.first(name: "X-Frame-Options") == "" { response.headers.remove(name: "X-Frame-Options") }
        if usesHTTPS {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000")
        }
        return response
    }
}
