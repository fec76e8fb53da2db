import Vapor

/// Lets only a signed-in admin through: pages redirect to the sign-in form, JSON callers get 401.
struct RequireAdmin: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // A user disabled since this session began is signed out at once.
        if let user = request.auth.get(User.self), !user.isActive {
            request.auth.logout(User.self)
            request.session.destroy()
        }
        guard request.auth.has(User.self) else {
            if request.prefersJSON {
                throw Abort(.unauthorized, reason: "Sign in to the LeadBridge admin first.")
            }
            let target = request.url.path.hasPrefix(AdminURL.root) ? "?next=" + (request.url.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") : ""
            return request.redirect(to: AdminURL.login.path + target)
        }
        return try await next.respond(to: request)
    }
}
