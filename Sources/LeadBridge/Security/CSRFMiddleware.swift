import Vapor

/// CSRF protection for every browser form, in two forms:
///
/// - **Signed-in admin pages**: the token is an HMAC of the session's id under a key derived
///   from `APP_KEY`. It belongs to that one session: a token from another session (another
///   admin's, or one planted with a cookie set from a sibling domain) is refused.
/// - **Pages without a session** (the public contact form, sign-in, first run): a
///   double-submit cookie. A random secret lives in an HttpOnly, SameSite=Lax cookie, and each
///   form carries the same value; another site can make a browser send the cookie but cannot
///   read it to fill in the field.
///
/// Under https the cookie is named with the `__Host-` prefix, which browsers accept only from
/// this host, over https, for the whole site: a sibling subdomain cannot set it.
struct CSRFMiddleware: AsyncMiddleware {
    static let fieldName = "_csrf"
    static let sessionPurpose = "csrf-session"
    let secureCookies: Bool
    let secrets: SecretBox

    static func cookieName(secure: Bool) -> String { secure ? "__Host-leadbridge_csrf" : "leadbridge_csrf" }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let cookieName = Self.cookieName(secure: secureCookies)
        let existing = request.cookies[cookieName]?.string
        let cookieToken = existing.flatMap { $0.count == 43 ? $0 : nil } ?? SecureToken.make()
        // Bound to the session once someone is signed in. Before that (sign-in, first run) a
        // session may be made during the very request that renders the form, so its id is not
        // known yet: those forms use the cookie.
        let sessionID = request.auth.has(User.self) && request.hasSession ? request.session.id?.string : nil
        let expected = sessionID.map { secrets.mac($0, purpose: Self.sessionPurpose) }
        request.storage[CSRFTokenKey.self] = expected ?? cookieToken

        if ![.GET, .HEAD, .OPTIONS].contains(request.method) {
            let submitted = submittedToken(request)
            let valid: Bool
            if let expected {
                valid = submitted.map { SecureToken.constantTimeEquals($0, expected) } ?? false
            } else {
                valid = existing.flatMap { cookie in submitted.map { SecureToken.constantTimeEquals(cookie, $0) } } ?? false
            }
            guard valid else {
                throw Abort(.forbidden, reason: "This form has expired or your browser blocked its cookie. Reload the page and try again.")
            }
        }

        let response = try await next.respond(to: request)
        if existing != cookieToken { response.cookies[cookieName] = Self.cookie(cookieToken, secure: secureCookies) }
        return response
    }

    /// Issues a fresh cookie secret (after sign-in, so a token seen before it is worthless).
    static func rotate(on request: Request, response: Response, secure: Bool) {
        let token = SecureToken.make()
        request.storage[CSRFTokenKey.self] = token
        response.cookies[cookieName(secure: secure)] = cookie(token, secure: secure)
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
