import Fluent
import Vapor

/// Admin > Users: the office's admins, adding one (an invitation link, or a password set
/// here), disabling and enabling, password-reset links, and each one's last sign-in.
struct UsersController {
    struct Row: Encodable {
        let id: Int, email: String, name: String, status: String, statusLabel: String
        let lastSignIn: String, failedSignIns: Int, isYou: Bool, isDisabled: Bool
    }

    /// A link just made: shown once, on the page that made it, and nowhere else.
    struct MadeLink: Encodable { let email: String, url: String, expires: String, purpose: String }

    struct Context: Encodable {
        let title: String, csrf: String, admin: String
        let users: [Row]
        let link: MadeLink?
        let notice: String?
        var email = "", name = ""
        var errors: FieldErrors = [:]
    }

    struct AddForm: Content { var email: String?; var name: String?; var password: String?; var password_confirmation: String? }

    @Sendable func index(req: Request) async throws -> View {
        try await render(req, link: nil, notice: req.notice)
    }

    @Sendable func add(req: Request) async throws -> Response {
        let form = try req.content.decode(AddForm.self)
        let admin = try req.auth.require(User.self)
        let setsPassword = !(form.password ?? "").isEmpty
        var errors = FieldErrors()
        let email = form.email.flatMap(EmailAddress.normalize)
        if email == nil { errors["email"] = "Enter the email address they will sign in with." }
        if setsPassword, case .invalid(let problems) = AdminAccountRules.validate(email: email ?? "x@example.com", password: form.password,
                                                                               confirmation: form.password_confirmation) {
            errors.merge(problems) { first, _ in first }
        }
        if let email, try await User.query(on: req.db).filter(\.$email == email).first() != nil {
            errors["email"] = "\(email) is an admin already."
        }
        guard errors.isEmpty, let email else {
            var context = try await context(req, link: nil, notice: nil)
            context.email = form.email ?? ""
            context.name = form.name ?? ""
            context.errors = errors
            return try await respond(req, context, status: .unprocessableEntity)
        }
        let name = form.name.map(TextSanitizer.singleLine).flatMap { $0.isEmpty ? nil : String($0.prefix(255)) }
        // Without a password the account cannot sign in until its invitation is used.
        let user = User(email: email, name: name, passwordHash: setsPassword ? try await req.services.passwordHashing.hashAdmitted(form.password!) : "")
        try await user.create(on: req.db)
        req.logger.notice("Admin added", metadata: ["user_id": "\(user.id ?? 0)", "by": "\(admin.id ?? 0)"])
        guard !setsPassword else {
            return req.redirect(to: AdminURL.users.path, notice: "\(email) can sign in now with the password you set.")
        }
        let link = try await links(req).make(for: user, purpose: .invitation, by: admin)
        return try await respond(req, try await context(req, link: Self.made(req, user, link, .invitation), notice: nil), status: .ok)
    }

    @Sendable func reset(req: Request) async throws -> Response {
        let admin = try req.auth.require(User.self)
        let user = try await target(req)
        guard user.isActive else {
            throw Abort(.conflict, reason: "\(user.email) is disabled: enable the account before making it a password link.")
        }
        let purpose: UserToken.Purpose = user.passwordHash.isEmpty ? .invitation : .passwordReset
        let link = try await links(req).make(for: user, purpose: purpose, by: admin)
        return try await respond(req, try await context(req, link: Self.made(req, user, link, purpose), notice: nil), status: .ok)
    }

    @Sendable func disable(req: Request) async throws -> Response {
        let admin = try req.auth.require(User.self)
        let user = try await target(req)
        do {
            try await AdminAccounts(database: req.db).disable(user, by: admin, now: req.services.clock.now())
        } catch let refusal as AdminAccounts.Refusal {
            throw Abort(.conflict, reason: refusal.description)
        }
        req.logger.notice("Admin disabled", metadata: ["user_id": "\(user.id ?? 0)", "by": "\(admin.id ?? 0)"])
        return req.redirect(to: AdminURL.users.path, notice: "\(user.email) is disabled and signed out everywhere.")
    }

    @Sendable func enable(req: Request) async throws -> Response {
        let user = try await target(req)
        let canSignIn = try await AdminAccounts(database: req.db).enable(user)
        let note = canSignIn ? " They can sign in again." : " They still need an invitation link to set a password."
        return req.redirect(to: AdminURL.users.path, notice: "\(user.email) is enabled." + note)
    }

    // MARK: Helpers

    private func links(_ req: Request) -> PasswordLinks { PasswordLinks(database: req.db, clock: req.services.clock) }

    private func target(_ req: Request) async throws -> User {
        guard let id = req.parameters.get("id", as: Int.self), let user = try await User.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such admin.")
        }
        return user
    }

    private static func made(_ req: Request, _ user: User, _ link: PasswordLinks.Made, _ purpose: UserToken.Purpose) -> MadeLink {
        let base = req.services.config.appURL.hasSuffix("/") ? String(req.services.config.appURL.dropLast()) : req.services.config.appURL
        return MadeLink(email: user.email, url: base + AdminURL.passwordLink(.value(link.token)).path,
                        expires: AdminDate.format(link.expiresAt), purpose: purpose == .invitation ? "invitation" : "password reset")
    }

    private func render(_ req: Request, link: MadeLink?, notice: String?) async throws -> View {
        try await req.view.render("admin/users", try await context(req, link: link, notice: notice))
    }

    private func respond(_ req: Request, _ context: Context, status: HTTPResponseStatus) async throws -> Response {
        let response = try await req.view.render("admin/users", context).encodeResponse(for: req)
        response.status = status
        // A page holding a one-time link must not be kept by the browser or a proxy.
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    private func context(_ req: Request, link: MadeLink?, notice: String?) async throws -> Context {
        let me = try req.auth.require(User.self)
        let users = try await User.query(on: req.db).sort(\.$email).all()
        return Context(title: "Users", csrf: req.csrfToken, admin: me.email, users: users.map { user in
            let status = user.disabledAt != nil ? "disabled" : (user.passwordHash.isEmpty ? "invited" : "active")
            return Row(id: user.id ?? 0, email: user.email, name: user.name ?? "", status: status,
                       statusLabel: status == "invited" ? "invited, no password yet" : status,
                       lastSignIn: user.lastLoginAt.map { AdminDate.format($0) } ?? "never",
                       failedSignIns: user.failedLoginAttempts, isYou: user.id == me.id, isDisabled: user.disabledAt != nil)
        }, link: link, notice: notice)
    }
}
