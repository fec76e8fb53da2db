import Vapor

/// Runs inside Vapor's sessions middleware and keeps it from storing sessions nobody made.
///
/// Vapor reads a session cookie that names no stored session (invented, expired, from another
/// install) as a new, empty session, and stores it when the request ends: every request with a
/// made-up cookie wrote a `sessions` row, so anyone could fill the table (and, on SQLite, queue
/// behind every enquiry for the write lock). A session is worth storing only once something is
/// in it, and the only thing LeadBridge puts there is a signed-in user. So a new session still
/// empty when the handler is done is dropped: no row, no database write at all (the cookie is
/// taken off the request, or Vapor would delete the row it names, which does not exist), and the
/// browser is sent an expired cookie so it stops sending it. Anonymous forms keep working: they
/// use the double-submit CSRF cookie, not the session.
struct SessionsOnlyWhenUsed: AsyncMiddleware {
    let configuration: SessionsConfiguration

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        guard request.hasSession, request.session.id == nil, request.session.data.snapshot.isEmpty else { return response }
        request.session.destroy()
        let name = configuration.cookieName
        guard request.cookies[name] != nil else { return response }
        request.cookies[name] = nil
        var expired = configuration.cookieFactory(SessionID(string: ""))
        expired.string = ""
        expired.expires = Date(timeIntervalSince1970: 0)
        expired.maxAge = 0
        response.cookies[name] = expired
        return response
    }
}
