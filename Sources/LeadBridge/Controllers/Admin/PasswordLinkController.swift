import Fluent
import Vapor

/// `/admin/password/:token`: where an invited admin sets a first password, or an admin who
/// forgot theirs sets a new one. Open without a session; the one-time token is the proof.
struct PasswordLinkController {
    struct Context: Encodable {
        let title: String, csrf: String
        var email = "", purpose = "", failure: String? = nil
        var errors: FieldErrors = [:]
    }

    struct Form: Content { var password: String?; var password_confirmation: String? }

    @Sendable func show(req: Request) async throws -> Response {
        let links = PasswordLinks(database: req.db, clock: req.services.clock)
        var context = Context(title: "Set your password", csrf: req.csrfToken)
        do {
            let (row, user) = try await links.find(req.parameters.get("token") ?? "")
            context.email = user.email
            context.purpose = row.purpose == .invitation ? "invitation" : "reset"
        } catch let failure as PasswordLinks.Failure {
            context.failure = failure.description
            return try await render(req, context, status: .gone)
        }
        return try await render(req, context, status: .ok)
    }

    @Sendable func use(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let links = PasswordLinks(database: req.db, clock: req.services.clock)
        let form = try req.content.decode(Form.self)
        var context = Context(title: "Set your password", csrf: req.csrfToken)
        let user: User
        do {
            let (row, found) = try await links.find(token)
            context.email = found.email
            context.purpose = row.purpose == .invitation ? "invitation" : "reset"
            if case .invalid(let errors) = AdminAccountRules.validate(email: found.email, password: form.password,
                                                                     confirmation: form.password_confirmation ?? "") {
                context.errors = errors
                return try await render(req, context, status: .unprocessableEntity)
            }
            user = try await links.use(token, passwordHash: try await req.services.passwordHashing.hashAdmitted(form.password ?? ""))
        } catch let failure as PasswordLinks.Failure {
            context.failure = failure.description
            return try await render(req, context, status: .gone)
        }
        // Signed in at once, in a fresh session (every other session of theirs has just ended).
        user.lastLoginAt = req.services.clock.now()
        try await user.save(on: req.db)
        let response = req.redirect(to: AdminURL.dashboard.path)
        await AdminAuthController.startSession(for: user, req, response)
        KnownDevice.remember(user, req, on: response)
        return response
    }

    private func render(_ req: Request, _ context: Context, status: HTTPResponseStatus) async throws -> Response {
        let response = try await req.view.render("admin/password-link", context).encodeResponse(for: req)
        response.status = status
        // The token is in the address: keep it out of other sites' Referer headers and caches.
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}
