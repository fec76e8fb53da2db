import Fluent
import RingCentralKit
import Vapor

/// Admin > Integrations > RingCentral: the app's credentials and JWT credential, Connect (the
/// OAuth round trip) / Connect with JWT / Reconnect / Disconnect, and what is connected
/// (account, main number, extension, numbers, token expiry and how it is renewed).
struct RingCentralAdminController {
    static let stateCookie = "leadbridge_rc_state"
    static let stateCookiePath = "/api/integrations/ringcentral"

    struct NumberRow: Encodable { let phoneNumber: String, usageType: String, features: String }

    struct Context: Encodable {
        let title: String, csrf: String, admin: String
        let configured: Bool, credentialsFromAdmin: Bool, maskedClientID: String, hasClientSecret: Bool
        let hasJWT: Bool, jwtFromAdmin: Bool
        let serverURL: String, redirectURI: String
        /// `leadbridge demo`: the server is the demo's own stand-in and cannot be changed.
        let serverURLIsFixed: Bool
        let webhookSecretSet: Bool
        let defaultFromNumber: String, callLogSyncMinutes: Int
        /// "user" or "company": whose calls are synced.
        let callLogScope: String
        let connected: Bool, reauthorizationReason: String?
        let accountID: String, accountName: String, mainNumber: String, accountStatus: String
        let extensionNumber: String, extensionName: String, numbers: [NumberRow]
        let tokenExpiresAt: String, refreshTokenExpiresAt: String, scopes: [String]
        /// Each feature and the permission it needs, granted or not by the token's scope.
        let permissions: [RingCentralPermissions.Feature]
        let permissionsMissing: Int
        /// False when RingCentral issued the pair without a refresh token.
        let refreshTokenIssued: Bool
        /// How the access token is renewed, under its expiry.
        let tokenRenewal: String
        /// Set when nothing can renew access by itself: the access token's expiry, when the
        /// admin will have to reconnect.
        let reauthorizationDueAt: String?
        let subscriptionID: String, subscriptionStatus: String, subscriptionExpires: String, webhookAddress: String
        /// Each filter RingCentral disabled, in a sentence.
        let subscriptionDisabled: [String]
        let myOfficePhone: String
        /// Set when this browser is on another address than the one RingCentral returns to.
        let wrongAddress: String?
        let notice: String?, errors: FieldErrors
    }

    struct Form: Content {
        var client_id: String?
        var client_secret: String?
        var jwt: String?
        /// The "Remove the saved JWT credential" box.
        var forget_jwt: String?
        var server_url: String?
        var redirect_uri: String?
        var default_from_number: String?
        var call_log_sync_minutes: String?
        /// "user" (the default) or "company".
        var call_log_scope: String?
    }

    @Sendable func show(req: Request) async throws -> View {
        try await render(req, notice: req.notice, errors: [:])
    }

    @Sendable func save(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        var errors = FieldErrors()
        // `leadbridge demo` fixes the address: what the form says is not used, so it changes nothing.
        let environment = req.services.config.ringCentral
        let serverURL = environment.serverURLIsFixed ? environment.serverURL : TextSanitizer.singleLine(form.server_url ?? "")
        if !FormText.isProviderAddress(serverURL) {
            errors["server_url"] = "Enter RingCentral's server address over https, like https://platform.ringcentral.com."
        } else if !environment.serverURLIsFixed, ProviderHost.isEnforced(req.application), let problem = ProviderHost.problem(serverURL) {
            errors["server_url"] = ProviderHost.formRefusal(problem: problem)
        }
        let redirectURI = TextSanitizer.singleLine(form.redirect_uri ?? "")
        if !FormText.isWebAddress(redirectURI) || !redirectURI.hasSuffix("/api/integrations/ringcentral/callback") {
            errors["redirect_uri"] = "Enter this server's callback address, ending in /api/integrations/ringcentral/callback, exactly as registered in RingCentral's developer console."
        }
        let clientID = FormText.nonEmpty(form.client_id)
        let clientSecret = FormText.nonEmpty(form.client_secret)
        for (field, value) in [("client_id", clientID), ("client_secret", clientSecret)] where (value?.count ?? 0) > 200 {
            errors[field] = "That is longer than any RingCentral client id or secret; copy it again."
        }
        // A JWT has no whitespace: what a copy from a wrapped line adds is taken out again.
        let jwt = FormText.nonEmpty(form.jwt.map { $0.filter { !$0.isWhitespace } })
        if let jwt, !Self.looksLikeJWT(jwt) {
            errors["jwt"] = "That does not look like a JWT credential: RingCentral's developer console shows it as one long line of three parts separated by dots. Copy it again."
        }
        let forgetJWT = form.forget_jwt != nil
        if forgetJWT, jwt != nil {
            errors["jwt"] = "Either paste a new JWT credential or remove the saved one, not both."
        }
        var defaultFrom: String?
        if let text = FormText.nonEmpty(form.default_from_number) {
            if let number = PhoneNumber.e164(text) { defaultFrom = number }
            else { errors["default_from_number"] = "Enter the office phone in international format, like +16505550123." }
        }
        let minutesText = TextSanitizer.singleLine(form.call_log_sync_minutes ?? "")
        let minutes = minutesText.isEmpty ? RingCentralSettingsStore.defaultCallLogSyncMinutes : Int(minutesText)
        if minutes == nil || !(0...1440).contains(minutes!) {
            errors["call_log_sync_minutes"] = "Enter the minutes between call-log syncs (1 to 1440), or 0 to switch the schedule off."
        }
        let scope = RingCentralCallLogScope(rawValue: form.call_log_scope ?? "user") ?? .user
        let current = try await req.services.ringCentral.settings.load()
        if errors.isEmpty, scope == .company, current.callLogScope != .company,
           let refusal = await Self.companyLogRefusal(req) {
            errors["call_log_scope"] = refusal
        }
        let serverChanged = !RingCentralSettingsStore.sameServer(serverURL, current.serverURL)
        if errors.isEmpty, serverChanged, current.clientSecret != nil, clientSecret == nil {
            // The secret (and tokens) go to whatever server is named: a change must be deliberate.
            errors["client_secret"] = "Enter the client secret again to use it with a different server."
        }
        guard errors.isEmpty else {
            let response = try await render(req, notice: nil, errors: errors).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
        let settings = RingCentralSettingsStore.Form(
            clientID: clientID, clientSecret: clientSecret, jwt: jwt, forgetJWT: forgetJWT, serverURL: serverURL, redirectURI: redirectURI,
            defaultFromNumber: defaultFrom, callLogSyncMinutes: minutes ?? RingCentralSettingsStore.defaultCallLogSyncMinutes,
            callLogScope: scope)
        if serverChanged {
            // Tokens, and the saved JWT credential, belong to the server that issued them: they
            // must never be sent to another one.
            let ended = try await req.services.ringCentral.connection.saveMovingServer(settings, from: current)
            var notice = "Saved."
            if ended { notice += " The server changed, so the connection to the old one was removed: connect again." }
            if current.jwt != nil, jwt == nil { notice += " The JWT credential was for the old server, so it is no longer used: paste one for the new server." }
            return redirect(req, notice)
        }
        try await req.services.ringCentral.settings.save(settings)
        if scope != current.callLogScope, try await req.services.ringCentral.subscriptions.current() != nil {
            // The webhook's telephony filter follows the choice: the account's events or the user's.
            do {
                try await req.services.ringCentral.subscriptions.replace()
            } catch {
                return redirect(req, "Saved. The webhook subscription could not be changed to match yet (\((error as? RingCentralError)?.description ?? "\(error)")); the hourly check tries again, or press Create webhook subscription.")
            }
            return redirect(req, scope == .company
                ? "Saved. Calls to every extension are now watched: the webhook subscription was replaced with the account's telephony events."
                : "Saved. Only your own calls are watched now: the webhook subscription was replaced.")
        }
        if forgetJWT, current.jwtFromAdmin {
            let fallback = try await req.services.ringCentral.settings.load().jwt != nil
            return redirect(req, fallback
                ? "Saved. The saved JWT credential is removed; the one in RINGCENTRAL_JWT is used instead."
                : "Saved. The saved JWT credential is removed: LeadBridge no longer signs in with it. A connection made with it lasts until its tokens run out.")
        }
        return redirect(req, "Saved.")
    }

    /// "Connect RingCentral": off to RingCentral's consent page, with a state bound to this browser.
    ///
    /// The answer is a page that moves the browser on (meta refresh, and a link), not a 303:
    /// browsers hold the redirects that follow a form post to the page's CSP `form-action`,
    /// and RingCentral's consent page may itself redirect to hosts we cannot list (its sign-in
    /// pages). A fresh navigation from our own page is not a form submission, so the CSP can
    /// stay `form-action 'self'`.
    @Sendable func connect(req: Request) async throws -> Response {
        let configuration = try await req.services.ringCentral.settings.load()
        if let sentence = BrowserOrigin.mismatch(req, returningTo: configuration.redirectURI, page: Self.page) {
            return try await messagePage(req, sentence, status: .conflict)
        }
        let start: (url: String, state: String)
        do {
            start = try await req.services.ringCentral.connection.start(configuration, now: req.services.clock.now())
        } catch let error as RingCentralServiceError {
            throw Abort(.conflict, reason: error.description)
        }
        struct Onward: Encodable { let title: String, onwardURL: String }
        let response = try await req.view.render("admin/integrations/ringcentral-onward",
                                                 Onward(title: "Connecting RingCentral", onwardURL: start.url)).encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        response.cookies[Self.stateCookie] = HTTPCookies.Value(
            string: start.state, expires: req.services.clock.now().addingTimeInterval(RingCentralConnector.pendingLifetime),
            path: Self.stateCookiePath, isSecure: req.services.config.usesHTTPS, isHTTPOnly: true, sameSite: .lax)
        return response
    }

    /// "Connect with JWT": signs in with the JWT credential, here and now, and shows the
    /// account connected, or RingCentral's refusal in a sentence that says what to do.
    @Sendable func connectWithJWT(req: Request) async throws -> Response {
        let configuration = try await req.services.ringCentral.settings.load()
        guard configuration.isConfigured else { throw Abort(.conflict, reason: RingCentralServiceError.notConfigured.description) }
        guard configuration.jwt != nil else {
            throw Abort(.conflict, reason: "There is no JWT credential to connect with: paste one under Settings (or set RINGCENTRAL_JWT), save, then press Connect with JWT.")
        }
        do {
            let account = try await req.services.ringCentral.connection.connectWithJWT(configuration)
            return redirect(req, "Connected to RingCentral account \(account.accountID) with the JWT credential.")
        } catch let error as RingCentralError {
            // Refused credentials are the admin's to fix (4xx); RingCentral failing is not (502).
            let status: HTTPResponseStatus = error.needsReauthorization ? .badRequest : .badGateway
            return try await messagePage(req, "Connecting RingCentral failed: " + error.forAdmin + " Nothing was stored.", status: status)
        }
    }

    /// `GET /api/integrations/ringcentral/callback`: where RingCentral sends the browser back.
    @Sendable func callback(req: Request) async throws -> Response {
        struct Query: Decodable { var code: String?; var state: String?; var error: String?; var error_description: String? }
        let query = (try? req.query.decode(Query.self)) ?? Query()
        let connector = req.services.ringCentral.connection
        do {
            let account = try await connector.finish(
                code: query.code, state: query.state, error: query.error, errorDescription: query.error_description,
                cookieState: req.cookies[Self.stateCookie]?.string, now: req.services.clock.now())
            let response = redirect(req, "Connected to RingCentral account \(account.accountID).")
            response.cookies[Self.stateCookie] = Self.expiredStateCookie
            return response
        } catch {
            if !(error is RingCentralConnector.CallbackError) {
                req.logger.error("RingCentral callback failed", metadata: ["error": .string(String(describing: error))])
            }
            let failure = error as? RingCentralConnector.CallbackError
                ?? .failed((error as? RingCentralServiceError)?.description ?? "a problem on this server (it is in the server log).")
            let status: HTTPResponseStatus = { if case .failed = failure { return .badGateway }; return .badRequest }()
            let response = try await messagePage(req, failure.description, status: status)
            response.cookies[Self.stateCookie] = Self.expiredStateCookie
            return response
        }
    }

    @Sendable func disconnect(req: Request) async throws -> Response {
        try await req.services.ringCentral.connection.disconnect()
        return redirect(req, "Disconnected: the tokens were revoked and deleted.")
    }

    /// Re-reads the account, extension and numbers: also the connection test.
    @Sendable func refresh(req: Request) async throws -> Response {
        do {
            let account = try await req.services.ringCentral.connection.refreshSnapshot()
            return redirect(req, "RingCentral answered: account \(account.accountID), \(account.primaryExtension?.phoneNumbers.count ?? 0) number(s).")
        } catch let error as RingCentralError {
            return redirect(req, error.description)
        } catch let error as RingCentralServiceError {
            return redirect(req, error.description)
        }
    }

    private func render(_ req: Request, notice: String?, errors: FieldErrors) async throws -> View {
        let configuration = try await req.services.ringCentral.settings.load()
        let account = try await RingCentralAccountRecord.query(on: req.db).first()
        let token = try await RingCentralTokenRecord.query(on: req.db).sort(\.$id, .descending).first()
        let primary = account?.primaryExtension
        let refreshTokenIssued = token?.sealedRefreshToken != nil
        let subscriptions = req.services.ringCentral.subscriptions
        let subscription = try await subscriptions.current()
        let permissions = RingCentralPermissions.check(scope: token.map { $0.scope ?? "" })
        return try await req.view.render("admin/integrations/ringcentral", Context(
            title: "RingCentral", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            configured: configuration.isConfigured, credentialsFromAdmin: configuration.credentialsFromAdmin,
            maskedClientID: SuiteDashAdminController.mask(configuration.clientID), hasClientSecret: configuration.clientSecret != nil,
            hasJWT: configuration.jwt != nil, jwtFromAdmin: configuration.jwtFromAdmin,
            serverURL: configuration.serverURL, redirectURI: configuration.redirectURI,
            serverURLIsFixed: req.services.config.ringCentral.serverURLIsFixed,
            webhookSecretSet: configuration.webhookSecret != nil,
            defaultFromNumber: configuration.defaultFromNumber ?? "", callLogSyncMinutes: configuration.callLogSyncMinutes,
            callLogScope: configuration.callLogScope.rawValue,
            connected: token != nil, reauthorizationReason: configuration.reauthorizationReason,
            accountID: account?.accountID ?? "", accountName: account?.name ?? "", mainNumber: account?.mainNumber ?? "",
            accountStatus: account?.status ?? "", extensionNumber: primary?.extensionNumber ?? "", extensionName: primary?.name ?? "",
            numbers: (primary?.phoneNumbers ?? []).map {
                NumberRow(phoneNumber: $0.phoneNumber, usageType: $0.usageType ?? "", features: $0.features.joined(separator: ", "))
            },
            tokenExpiresAt: AdminDate.format(token?.expiresAt), refreshTokenExpiresAt: AdminDate.format(token?.refreshTokenExpiresAt),
            scopes: (token?.scope ?? "").split(separator: " ").map(String.init),
            permissions: permissions, permissionsMissing: permissions.filter { !$0.granted }.count,
            refreshTokenIssued: refreshTokenIssued,
            tokenRenewal: Self.tokenRenewal(connected: token != nil, refreshTokenIssued: refreshTokenIssued, hasJWT: configuration.jwt != nil),
            reauthorizationDueAt: token != nil && !refreshTokenIssued && configuration.jwt == nil && configuration.reauthorizationReason == nil
                ? AdminDate.format(token?.expiresAt) : nil,
            subscriptionID: subscription?.id ?? "", subscriptionStatus: subscription?.status ?? "",
            subscriptionExpires: AdminDate.format(subscription?.expiresAt), webhookAddress: subscriptions.address,
            subscriptionDisabled: (subscription?.disabledFilters ?? []).map {
                RingCentralSubscriptions.explain($0, callLogMinutes: configuration.callLogSyncMinutes)
            },
            myOfficePhone: try req.auth.require(User.self).officePhone ?? "",
            wrongAddress: BrowserOrigin.mismatch(req, returningTo: configuration.redirectURI, page: Self.page),
            notice: notice, errors: errors))
    }

    /// Why the company's call log cannot be read with this connection, or nil when it can (or
    /// when RingCentral could not be asked: the sync then says what went wrong). One read of a
    /// single record, so choosing "the whole company" is refused at once with RingCentral's
    /// reason (CMN-408: the user's role lacks FullCompanyCallLog) instead of failing later.
    private static func companyLogRefusal(_ req: Request) async -> String? {
        do {
            let client = try await req.services.ringCentral.client(relatedType: "call_logs")
            _ = try await client.callLog(dateFrom: Date().addingTimeInterval(-60), perPage: 1, scope: .company)
            return nil
        } catch let error as RingCentralError {
            switch error {
            case .permissionMissing: return "RingCentral refused the company's call log: \(error.description)"
            case .notConnected, .awaitingReauthorization: return "Connect RingCentral first: LeadBridge checks that the connected user may read the company's call log."
            default: return nil
            }
        } catch {
            return nil
        }
    }

    /// What happens when the access token expires, in words for the status panel.
    private static func tokenRenewal(connected: Bool, refreshTokenIssued: Bool, hasJWT: Bool) -> String {
        if !connected || refreshTokenIssued { return "access token expires (refreshed automatically)" }
        if hasJWT { return "access token expires (LeadBridge then signs in again with the JWT credential)" }
        return "access token expires; re-authorisation is needed then (no refresh token was issued)"
    }

    /// A JWT as RingCentral's developer console shows it: three base64url parts, header.payload.signature.
    static func looksLikeJWT(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        return text.count <= 8192 && parts.count == 3 && parts[0].count > 0 && parts[1].count > 0
            && parts.allSatisfy { $0.allSatisfy(alphabet.contains) }
    }

    /// A sentence on its own page, with the way back to the RingCentral page.
    private func messagePage(_ req: Request, _ message: String, status: HTTPResponseStatus) async throws -> Response {
        struct Page: Encodable { let title: String, message: String }
        let response = try await req.view.render("admin/integrations/ringcentral-message",
                                                 Page(title: "RingCentral", message: message)).encodeResponse(for: req)
        response.status = status
        return response
    }

    private static let page = AdminURL.ringCentral.path

    private static var expiredStateCookie: HTTPCookies.Value {
        HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), path: stateCookiePath, isHTTPOnly: true, sameSite: .lax)
    }



    private func redirect(_ req: Request, _ notice: String) -> Response {
        req.redirect(to: Self.page, notice: notice)
    }
}
