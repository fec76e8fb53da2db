import Fluent
import Vapor

/// First-run setup, sign-in and sign-out for the admin area.
struct AdminAuthController {
    struct SetupForm: Content {
        var email: String?; var name: String?; var password: String?; var password_confirmation: String?; var setup_code: String?
    }
    struct LoginForm: Content { var email: String?; var password: String?; var next: String? }
    struct Context: Encodable {
        let title: String
        let csrf: String
        var email: String = ""
        var name: String = ""
        var next: String = ""
        /// First run in production: the page asks for the code start-up printed.
        var requiresSetupCode = false
        var error: String? = nil
        var notice: String? = nil
        var errors: FieldErrors = [:]
    }

    // MARK: First run

    @Sendable func showSetup(req: Request) async throws -> Response {
        guard try await User.query(on: req.db).count() == 0 else { return req.redirect(to: AdminURL.login.path) }
        var context = Context(title: "Create the first admin", csrf: req.csrfToken)
        try await Self.describeSetupCode(req, &context)
        return try await req.view.render("admin/setup", context).encodeResponse(for: req)
    }

    /// Checks, cheapest first: is setup still open, has this address tried too often, is the
    /// setup code right; only then is the password hashed (anyone can post here: hashing first
    /// would let them burn the server's CPU).
    @Sendable func setup(req: Request) async throws -> Response {
        guard try await User.query(on: req.db).count() == 0 else { return req.redirect(to: AdminURL.login.path) }
        let services = req.services
        let limit = await services.loginIPLimiter.hit(ClientAddress.signInKey(req.clientIP(config: services.config)), now: services.clock.now())
        guard limit.allowed else {
            throw Abort(.tooManyRequests, headers: ["Retry-After": String(limit.retryAfter)],
                        reason: "Too many attempts from your network. Try again in \(LoginThrottle.minutes(limit.retryAfter)).")
        }
        let form = try req.content.decode(SetupForm.self)
        var context = Context(title: "Create the first admin", csrf: req.csrfToken,
                              email: form.email ?? "", name: form.name ?? "")
        try await Self.describeSetupCode(req, &context)
        if context.requiresSetupCode, !(try await SetupCode.matches(form.setup_code, on: req.db)) {
            context.errors["setup_code"] = "That is not this server's setup code. It is printed where LeadBridge started, and kept in the file setup-code in its storage folder (STORAGE_PATH)."
            return try await render("admin/setup", context, status: .forbidden, req)
        }
        let result = AdminAccountRules.validate(email: form.email, password: form.password,
                                                confirmation: form.password_confirmation)
        guard case .valid(let email) = result else {
            if case .invalid(let errors) = result { context.errors = errors }
            return try await render("admin/setup", context, status: .unprocessableEntity, req)
        }
        services.signInChecks.recordHash()
        let hash = try await services.passwordHashing.hashAdmitted(form.password ?? "")
        let name = form.name.map(TextSanitizer.singleLine).flatMap { $0.isEmpty ? nil : String($0.prefix(255)) }
        let created = try await FirstAdmin.create(email: email, name: name, passwordHash: hash, on: req.db)
        guard let user = created else {
            // Someone finished setup first; this page is closed now.
            return req.redirect(to: AdminURL.login.path)
        }
        try await SetupCode.remove(on: req.db, services.config)
        let response = req.redirect(to: AdminURL.dashboard.path)
        await signIn(user, req, response)
        KnownDevice.remember(user, req, on: response)
        return response
    }

    private static func describeSetupCode(_ req: Request, _ context: inout Context) async throws {
        guard SetupCode.isRequired(req.application) else { return }
        // The page names a file that must exist somewhere, even if start-up did not make the code.
        try await SetupCode.ensure(on: req.db, req.services.config)
        context.requiresSetupCode = true
    }

    // MARK: Sign in and out

    @Sendable func showLogin(req: Request) async throws -> Response {
        if try await User.query(on: req.db).count() == 0 { return req.redirect(to: AdminURL.setup.path) }
        if req.auth.has(User.self) { return req.redirect(to: AdminURL.dashboard.path) }
        let next = (try? req.query.get(String.self, at: "next")) ?? ""
        var context = Context(title: "Sign in", csrf: req.csrfToken, next: next)
        // A fixed sentence chosen by a flag: this page is open to anyone, so it never shows text from its link.
        if (try? req.query.get(String.self, at: "signed-out")) == "everywhere" {
            context.notice = "Signed out everywhere: every session of your account has ended, on every device."
        }
        return try await render("admin/login", context, status: .ok, req)
    }

    @Sendable func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        var context = Context(title: "Sign in", csrf: req.csrfToken, email: form.email ?? "", next: form.next ?? "")
        let throttle = LoginThrottle(request: req)

        switch try await throttle.attempt(email: form.email ?? "", password: form.password ?? "", now: req.services.clock.now()) {
        case .success(let user):
            let response = req.redirect(to: Self.safeNext(form.next))
            await signIn(user, req, response)
            KnownDevice.remember(user, req, on: response)
            return response
        case .refused(let sentence, let retryAfter):
            try await Self.pauseBeforeRefusing()
            context.error = sentence
            let response = try await render("admin/login", context, status: .tooManyRequests, req)
            response.headers.replaceOrAdd(name: "Retry-After", value: String(retryAfter))
            return response
        case .busy(let sentence, let retryAfter):
            try await Self.pauseBeforeRefusing()
            // The server's load, not this visitor's tries: 503, and the form to send again.
            context.error = sentence
            let response = try await render("admin/login", context, status: .serviceUnavailable, req)
            response.headers.replaceOrAdd(name: "Retry-After", value: String(retryAfter))
            return response
        case .wrongCredentials:
            context.error = Self.wrongCredentials(req.services.config.loginThrottle)
            return try await render("admin/login", context, status: .unauthorized, req)
        }
    }

    @Sendable func logout(req: Request) async throws -> Response {
        req.auth.logout(User.self)
        req.session.destroy()
        return req.redirect(to: AdminURL.login.path)
    }

    /// Ends every session of the signed-in admin, on every device (a lost laptop, a shared computer).
    @Sendable func logoutEverywhere(req: Request) async throws -> Response {
        let user = try req.auth.require(User.self)
        let id = try user.requireID()
        // A lost laptop keeps its known-browser cookie: it must not stay exempt from the account's limit.
        try await req.db.writeTransaction { tx in
            try await DatabaseSessionDriver.endSessions(of: id, on: tx)
            try await KnownDevice.forgetAll(of: id, on: tx)
        }
        req.auth.logout(User.self)
        req.session.destroy()
        return req.redirect(to: AdminURL.login.path + "?signed-out=everywhere")
    }

    // MARK: Helpers

    private func signIn(_ user: User, _ req: Request, _ response: Response) async {
        await Self.startSession(for: user, req, response)
    }

    /// Starts a fresh session (a session id seen before sign-in is worthless after it) and a fresh CSRF secret.
    static func startSession(for user: User, _ req: Request, _ response: Response) async {
        if let old = req.session.id {
            // Awaited, so it does not race the new session's write; a failure leaves only a row
            // nobody can use (its id is dropped below), which must not cost the admin the sign-in.
            try? await DatabaseSessionDriver(lifetime: 0).deleteSession(old, for: req).get()
            req.session.id = nil
        }
        req.auth.login(user)
        CSRFMiddleware.rotate(on: req, response: response, secure: req.services.config.usesHTTPS)
    }

    /// How long a sign-in refused unchecked (its address over the limit, or bcrypt's line full)
    /// waits before it is answered. Such a refusal costs the server almost nothing, so a script
    /// that sends the next attempt as soon as it has an answer would otherwise send thousands a
    /// second and take the cores from enquiries (scripts/bench/signin-flood.sh; figures in
    /// docs/benchmarks.md). Waiting costs no thread; a person notices no difference.
    static let refusalPause: Duration = .seconds(1)

    private static func pauseBeforeRefusing() async throws {
        try await Task.sleep(for: refusalPause)
    }

    /// One sentence for an unknown email, a wrong password and an address that tried too
    /// often: telling them apart would tell a guesser which accounts exist.
    static func wrongCredentials(_ settings: LoginThrottleSettings) -> String {
        "That email and password don't match an admin account. If you are sure they are right, sign-in is paused "
            + "after too many tries: try again in \(LoginThrottle.minutes(settings.lockSeconds))."
    }

    /// Where a sign-in goes next: `?next=` only when it is a path inside the admin area written
    /// in characters a URL carries as they are. It becomes the `Location` header, so a CR or LF
    /// would end that header and start one the visitor chose (a planted `Set-Cookie`); it must
    /// never name another host (`//evil.example`) or climb out of /admin (`/admin/../x`, also
    /// written `%2e%2e`). Anything else goes to the dashboard.
    static func safeNext(_ next: String?) -> String {
        let fallback = AdminURL.dashboard.path
        guard let next, next.utf8.count <= 2000,
              next.unicodeScalars.allSatisfy(urlSafe.contains), escapesAreWellFormed(next) else { return fallback }
        let path = String(next.prefix { $0 != "?" && $0 != "#" })
        guard path == AdminURL.root || path.hasPrefix(AdminURL.root + "/"), !path.contains("//") else { return fallback }
        let segments = (path.removingPercentEncoding ?? "").split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.contains(where: { $0 == "." || $0 == ".." }) else { return fallback }
        return next
    }

    /// RFC 3986's unreserved characters, and the delimiters a path and query use; no quote,
    /// no space, no backslash, no control character, nothing outside ASCII.
    private static let urlSafe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&()*+,;=:@/?%#")

    /// Every `%` starts an escape of two hex digits.
    private static func escapesAreWellFormed(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, isHex(bytes[index + 1]), isHex(bytes[index + 2]) else { return false }
                index += 3
            } else {
                index += 1
            }
        }
        return true
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    private func render(_ view: String, _ context: Context, status: HTTPResponseStatus, _ req: Request) async throws -> Response {
        let response = try await req.view.render(view, context).encodeResponse(for: req)
        response.status = status
        return response
    }
}
