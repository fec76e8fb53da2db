import Vapor

/// Double-submit-cookie CSRF protection for every browser form.
///
/// A random secret lives in an HttpOnly, SameSite=Lax cookie; each form carries the same
/// value in `_csrf` (or an `X-CSRF-Token` header). Another site can make a browser send
/// the cookie but cannot read it to fill in the field, so a forged post is refused.
/// It needs no session, so the public contact form works for first-time visitors.
struct CSRFMiddleware: AsyncMiddleware {
    static let cookieName = "leadbridge_csrf"
    static let fieldName = "_csrf"
    let secureCookies: Bool

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let existing = request.cookies[Self.cookieName]?.string
        let token = existing.flatMap { $0.count == 43 ? $0 : nil } ?? SecureToken.make()
        request.storage[CSRFTokenKey.self] = token

        if ![.GET, .HEAD, .OPTIONS].contains(request.method) {
            guard let cookieToken = existing, let submitted = submittedToken(request),
                  SecureToken.constantTimeEquals(cookieToken, submitted) else {
                throw Abort(.forbidden, reason: "This form has expired or your browser blocked its cookie. Reload the page and try again.")
            }
        }

        let response = try await next.respond(to: request)
        if existing != token { response.cookies[Self.cookieName] = Self.cookie(token, secure: secureCookies) }
        return response
    }

    /// Issues a fresh secret (after sign-in, so a token seen before login is worthless).
    static func rotate(on request: Request, response: Response, secure: Bool) {
        let token = SecureToken.make()
        request.storage[CSRFTokenKey.self] = token
        response.cookies[cookieName] = cookie(token, secure: secure)
    }

    private func submittedToken(_ request: Request) -> String? {
        if let header = request.headers.first(name: "X-CSRF-Token") { return header }
        return try? request.content.get(String.self, at: Self.fieldName)
    }

    private static func cookie(_ token: String, secure: Bool) -> HTTPCookies.Value {
        HTTPCookies.Value(string: token, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }
}

private struct CSRFTokenKey: StorageKey { typealias Value = String }

extension Request {
    /// The token a rendered form must echo back in `_csrf`.
    var csrfToken: String { storage[CSRFTokenKey.self] ?? "" }
}
