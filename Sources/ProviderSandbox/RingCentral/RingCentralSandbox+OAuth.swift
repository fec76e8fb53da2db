import Crypto
import Foundation
import Vapor

/// OAuth 2.0 as RingCentral runs it: the authorization-code flow (with optional PKCE S256),
/// HTTP Basic client authentication at the token endpoint, refresh tokens that are single-use
/// and rotate (the old pair dies with the refresh), and revoke ending the whole session. The
/// JWT-bearer grant lives in `RingCentralSandbox+JWT.swift`.
extension RingCentralSandbox {
    enum Authentication {
        case success(OAuthSession)
        case failure(Response)
    }

    func registerOAuth(on routes: any RoutesBuilder) {
        let oauth = routes.grouped("restapi", "oauth")
        oauth.get("authorize") { req in
            try await self.page(req, "GET /restapi/oauth/authorize") { self.authorizePage($0) }
        }
        oauth.post("authorize") { req in
            try await self.page(req, "POST /restapi/oauth/authorize") { self.authorizeDecision($0) }
        }
        oauth.post("token") { req in try await self.authEndpoint(req, "POST /restapi/oauth/token") { self.token($0, client: $1) } }
        oauth.post("revoke") { req in try await self.authEndpoint(req, "POST /restapi/oauth/revoke") { request, _ in self.revoke(request) } }
    }

    // MARK: Public controls

    /// Every live access token now answers 401 OAU-128; refresh tokens stay valid, so a client must refresh.
    public func expireAccessTokens() {
        state.withLockedValue { state in
            let past = Date().addingTimeInterval(-1)
            for id in state.sessions.keys { state.sessions[id]?.accessExpires = past }
        }
    }

    /// Ends every session: access tokens answer 401 OAU-213, refresh tokens 400 invalid_grant.
    public func revokeAllTokens() {
        state.withLockedValue { state in
            state.stats.revoked += state.sessions.count
            state.sessions = [:]
            state.accessTokens = [:]
            state.refreshTokens = [:]
        }
    }

    /// Issues an authorization code as if the user had approved, for scripts without a browser.
    public func issueAuthorizationCode(redirectURI: String, codeChallenge: String? = nil,
                                       codeChallengeMethod: String? = nil) -> String {
        let code = Self.randomToken("U0pDMDFQMDFQQVMwMXxBQUN", bytes: 18)
        state.withLockedValue { state in
            let expires = Date().addingTimeInterval(TimeInterval(state.settings.authorizationCodeTTL))
            state.codes[code] = AuthorizationCode(clientID: clientID, redirectURI: redirectURI, codeChallenge: codeChallenge,
                                                  codeChallengeMethod: codeChallengeMethod, expires: expires)
        }
        return code
    }

    // MARK: Bearer tokens

    func authenticate(_ req: Request) -> Authentication {
        guard let header = req.headers.first(name: .authorization) else {
            return .failure(Self.unauthorized("AGW-401", "Authorization header is not specified"))
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            return .failure(Self.unauthorized("AGW-402", "Invalid Authorization header"))
        }
        let token = String(parts[1])
        return state.withLockedValue { state in
            guard let id = state.accessTokens[token], let session = state.sessions[id] else {
                return .failure(Self.invalidToken("OAU-213", "Token not found"))
            }
            guard session.accessExpires > Date() else {
                return .failure(Self.invalidToken("OAU-128", "Access token expired"))
            }
            return .success(session)
        }
    }

    /// A request RingCentral's gateway turns away before reading the token (no or a malformed
    /// Authorization header): its own code, at the top and in `errors`.
    static func unauthorized(_ code: String, _ message: String) -> Response {
        let response = error(.unauthorized, code, message)
        response.headers.replaceOrAdd(name: "WWW-Authenticate", value: "Bearer realm=\"RingCentral REST API\"")
        return response
    }

    /// A bearer token RingCentral will not take. Real answers put a generic `"errorCode":
    /// "TokenInvalid"` at the top and the specific code (OAU-128 expired, OAU-213 not found,
    /// OAU-149 unparsable) inside `errors` (community threads quote such bodies), so a client
    /// that reads only the top-level code cannot tell an expired token from a forged one.
    static func invalidToken(_ code: String, _ message: String) -> Response {
        let body: [String: Any] = ["errorCode": "TokenInvalid", "message": message,
                                   "errors": [["errorCode": code, "message": message]]]
        let response = json(.unauthorized, body)
        response.headers.replaceOrAdd(name: "WWW-Authenticate", value: "Bearer realm=\"RingCentral REST API\"")
        return response
    }

    // MARK: Authorize (the browser page)

    /// Pages are counted and logged but not throttled (RingCentral's login UI is not in a group).
    private func page(_ req: Request, _ endpoint: String, _ body: @escaping @Sendable (Request) -> Response) async throws -> Response {
        let response = try await applySwitches(req, endpoint) ?? body(req)
        log(req, endpoint, group: "", status: response.status)
        return response
    }

    private struct AuthorizeRequest {
        var responseType: String
        var clientID: String
        var redirectURI: String
        var state: String?
        var codeChallenge: String?
        var codeChallengeMethod: String?
    }

    private func authorizeRequest(_ values: [String: String]) -> AuthorizeRequest {
        AuthorizeRequest(responseType: values["response_type"] ?? "", clientID: values["client_id"] ?? "",
                         redirectURI: values["redirect_uri"] ?? "", state: values["state"],
                         codeChallenge: values["code_challenge"], codeChallengeMethod: values["code_challenge_method"])
    }

    /// A bad client or redirect URI is shown to the user, never redirected to (RFC 6749 §4.1.2.1);
    /// other errors go back to the (validated) redirect URI.
    private func validate(_ request: AuthorizeRequest) -> Response? {
        guard request.clientID == clientID else {
            return Self.html(.badRequest, Self.errorPage("Unknown application", "The client_id is not a registered RingCentral application."))
        }
        let registered = settings.redirectURIs
        let uri = URL(string: request.redirectURI)
        let isWeb = ["http", "https"].contains(uri?.scheme?.lowercased() ?? "") && uri?.host != nil
        guard isWeb, registered.isEmpty || registered.contains(request.redirectURI) else {
            return Self.html(.badRequest, Self.errorPage("Invalid redirect URI",
                                                         "The redirect_uri does not match one registered for this application."))
        }
        if request.responseType != "code" {
            return Self.redirect(request.redirectURI, ["error": "unsupported_response_type",
                                                       "error_description": "Only response_type=code is supported", "state": request.state])
        }
        if request.codeChallenge != nil, (request.codeChallengeMethod ?? "plain") != "S256" {
            return Self.redirect(request.redirectURI, ["error": "invalid_request",
                                                       "error_description": "Only code_challenge_method=S256 is supported", "state": request.state])
        }
        return nil
    }

    private func authorizePage(_ req: Request) -> Response {
        let values = (try? req.query.decode([String: String].self)) ?? [:]
        let request = authorizeRequest(values)
        if let refusal = validate(request) { return refusal }
        let hidden = ["response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method"]
            .compactMap { key in values[key].map { "<input type=\"hidden\" name=\"\(key)\" value=\"\(Self.escape($0))\">" } }
            .joined(separator: "\n    ")
        return Self.html(.ok, """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>RingCentral - Authorize</title></head>
        <body>
        <h1>Allow LeadBridge to access your RingCentral account?</h1>
        <p>Signed in as \(Self.userName), extension \(Self.extensionNumber) (\(Self.mainNumber)).</p>
        <p>LeadBridge asks for: \(scope).</p>
        <form method="post" action="/restapi/oauth/authorize">
            \(hidden)
            <button type="submit" name="decision" value="approve">Authorize</button>
            <button type="submit" name="decision" value="deny">Cancel</button>
        </form>
        </body></html>
        """)
    }

    private func authorizeDecision(_ req: Request) -> Response {
        let values = (try? req.content.decode([String: String].self)) ?? [:]
        let request = authorizeRequest(values)
        if let refusal = validate(request) { return refusal }
        guard values["decision"] == "approve" else {
            return Self.redirect(request.redirectURI, ["error": "access_denied",
                                                       "error_description": "The user denied access to the application",
                                                       "state": request.state])
        }
        let code = issueAuthorizationCode(redirectURI: request.redirectURI, codeChallenge: request.codeChallenge,
                                          codeChallengeMethod: request.codeChallenge == nil ? nil : "S256")
        return Self.redirect(request.redirectURI, ["code": code, "state": request.state])
    }

    static func redirect(_ uri: String, _ parameters: [String: String?]) -> Response {
        var components = URLComponents(string: uri)
        var items = components?.queryItems ?? []
        for key in ["code", "error", "error_description", "state"] {
            if let value = parameters[key] ?? nil { items.append(URLQueryItem(name: key, value: value)) }
        }
        components?.queryItems = items
        // URLComponents leaves "+" alone; a form decoder would read it as a space.
        let query = components?.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components?.percentEncodedQuery = query
        let response = Response(status: .found)
        response.headers.replaceOrAdd(name: .location, value: components?.string ?? uri)
        return response
    }

    private static func errorPage(_ title: String, _ message: String) -> String {
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>RingCentral - \(title)</title></head>"
            + "<body><h1>\(title)</h1><p>\(message)</p></body></html>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    // MARK: Token and revoke

    /// The Auth group is counted per client (the one the Basic header names, right or wrong).
    private func authEndpoint(_ req: Request, _ endpoint: String,
                              _ body: @escaping @Sendable (Request, String) -> Response) async throws -> Response {
        let response: Response
        if let early = try await applySwitches(req, endpoint) {
            response = early
        } else {
            let credentials = Self.basicCredentials(req)
            let decision = admit(key: "\(credentials?.id ?? "anonymous")|Auth", group: "Auth")
            if !decision.allowed {
                response = decision.apply(to: Self.rateLimitedResponse())
            } else if let credentials, credentials.id == clientID, credentials.secret == clientSecret {
                response = decision.apply(to: body(req, credentials.id))
            } else {
                response = decision.apply(to: Self.oauthError(.unauthorized, "invalid_client", "OAU-123",
                                                              "Client authentication is required"))
            }
        }
        log(req, endpoint, group: "Auth", status: response.status)
        return response
    }

    private static func basicCredentials(_ req: Request) -> (id: String, secret: String)? {
        guard let header = req.headers.first(name: .authorization), header.lowercased().hasPrefix("basic "),
              let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    private func token(_ req: Request, client: String) -> Response {
        let form = (try? req.content.decode([String: String].self)) ?? [:]
        let grantType = form["grant_type"] ?? ""
        state.withLockedValue { $0.stats.tokenRequests[grantType.isEmpty ? "(none)" : grantType, default: 0] += 1 }
        // A grant the app was not given in the developer console (JWT is a separate choice there).
        if ["authorization_code", Self.jwtGrantType].contains(grantType), !settings.grantTypes.contains(grantType) {
            return Self.oauthError(.badRequest, "unauthorized_client", "OAU-251", "Unauthorized for this grant type")
        }
        switch grantType {
        case "authorization_code": return exchangeCode(form, client: client)
        case "refresh_token": return refresh(form, client: client)
        case Self.jwtGrantType: return signIn(form, client: client)
        case "": return Self.oauthError(.badRequest, "invalid_request", "CMN-100", "Mandatory parameter [grant_type] not specified.",
                                        parameterName: "grant_type")
        default: return Self.oauthError(.badRequest, "unsupported_grant_type", "OAU-112",
                                        "The client is unauthorized for the required grant type: [\(grantType)]")
        }
    }

    func invalidGrant(_ code: String, _ description: String) -> Response {
        state.withLockedValue { $0.stats.invalidGrants += 1 }
        return Self.oauthError(.badRequest, "invalid_grant", code, description)
    }

    private func exchangeCode(_ form: [String: String], client: String) -> Response {
        guard let code = form["code"], !code.isEmpty else {
            return Self.oauthError(.badRequest, "invalid_request", "CMN-100", "Mandatory parameter [code] not specified.", parameterName: "code")
        }
        // A code is spent by its first use, whatever the outcome (RFC 6749 §4.1.2).
        guard let grant = state.withLockedValue({ $0.codes.removeValue(forKey: code) }) else {
            return invalidGrant("OAU-106", "Invalid authorization code")
        }
        guard grant.expires > Date() else { return invalidGrant("OAU-108", "Authorization code is expired") }
        guard grant.clientID == client else { return invalidGrant("OAU-110", "Authorization code was not issued for this application") }
        guard form["redirect_uri"] == grant.redirectURI else { return invalidGrant("OAU-109", "Redirect URIs do not match") }
        if let challenge = grant.codeChallenge {
            guard let verifier = form["code_verifier"], !verifier.isEmpty else {
                return invalidGrant("OAU-106", "Invalid authorization code: code_verifier is required")
            }
            let hashed = Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncoded()
            guard hashed == challenge else { return invalidGrant("OAU-106", "Invalid authorization code: code_verifier does not match") }
        }
        return tokenResponse(newSession(client: client))
    }

    private func refresh(_ form: [String: String], client: String) -> Response {
        guard let refreshToken = form["refresh_token"], !refreshToken.isEmpty else {
            return Self.oauthError(.badRequest, "invalid_request", "CMN-100", "Mandatory parameter [refresh_token] not specified.",
                                   parameterName: "refresh_token")
        }
        let rotated = state.withLockedValue { state -> Result<OAuthSession, RefreshFailure> in
            guard let id = state.refreshTokens[refreshToken], var session = state.sessions[id], session.clientID == client else {
                return .failure(.notFound)
            }
            guard let expires = session.refreshExpires, expires > Date() else {
                state.end(session: id)
                return .failure(.expired)
            }
            // Single use: the old access and refresh tokens die now.
            state.accessTokens[session.accessToken] = nil
            state.refreshTokens[refreshToken] = nil
            session = Self.freshTokens(for: session, settings: state.settings)
            state.sessions[id] = session
            state.accessTokens[session.accessToken] = id
            if let rotated = session.refreshToken { state.refreshTokens[rotated] = id }
            return .success(session)
        }
        switch rotated {
        case .success(let session): return tokenResponse(session)
        case .failure(.notFound): return invalidGrant("OAU-211", "Token not found")
        case .failure(.expired): return invalidGrant("OAU-211", "Token not found: the refresh token has expired")
        }
    }

    private enum RefreshFailure: Error { case notFound, expired }

    func newSession(client: String) -> OAuthSession {
        state.withLockedValue { state in
            let blank = OAuthSession(id: UUID().uuidString.lowercased(), clientID: client, accessToken: "", accessExpires: Date(),
                                     refreshToken: nil, refreshExpires: nil)
            let session = Self.freshTokens(for: blank, settings: state.settings)
            state.sessions[session.id] = session
            state.accessTokens[session.accessToken] = session.id
            if let refreshToken = session.refreshToken { state.refreshTokens[refreshToken] = session.id }
            return session
        }
    }

    private static func freshTokens(for session: OAuthSession, settings: RingCentralSandboxSettings) -> OAuthSession {
        var session = session
        let now = Date()
        session.accessToken = randomToken("U0pDMTFQMDFQQVMwMHxBQUF", bytes: 32)
        session.accessExpires = now.addingTimeInterval(TimeInterval(settings.accessTokenTTL))
        if settings.issueRefreshTokens {
            session.refreshToken = randomToken("U0pDMTFQMDFQQVMwMHxBQUJ", bytes: 32)
            session.refreshExpires = now.addingTimeInterval(TimeInterval(settings.refreshTokenTTL))
        } else {
            session.refreshToken = nil
            session.refreshExpires = nil
        }
        return session
    }

    func tokenResponse(_ session: OAuthSession) -> Response {
        let now = Date()
        var answer: [String: Any] = [
            "access_token": session.accessToken,
            "token_type": "bearer",
            "expires_in": max(0, Int(session.accessExpires.timeIntervalSince(now).rounded())),
            "scope": scope,
            "owner_id": Self.extensionID,
            "endpoint_id": "sandbox-endpoint-" + session.id.prefix(8),
            "session_id": session.id,
        ]
        // The spec's TokenInfo: "OAuth refresh token (if issued)"; not required.
        if let refreshToken = session.refreshToken, let expires = session.refreshExpires {
            answer["refresh_token"] = refreshToken
            answer["refresh_token_expires_in"] = max(0, Int(expires.timeIntervalSince(now).rounded()))
        }
        return Self.json(.ok, answer)
    }

    /// RFC 7009: the token (access or refresh) ends its whole session; an unknown token is still 200.
    private func revoke(_ req: Request) -> Response {
        let form = (try? req.content.decode([String: String].self)) ?? [:]
        guard let token = form["token"] ?? req.query[String.self, at: "token"], !token.isEmpty else {
            return Self.oauthError(.badRequest, "invalid_request", "CMN-100", "Mandatory parameter [token] not specified.", parameterName: "token")
        }
        state.withLockedValue { state in
            if let id = state.accessTokens[token] ?? state.refreshTokens[token] {
                state.end(session: id)
                state.stats.revoked += 1
            }
        }
        return Response(status: .ok)
    }
}

extension RingCentralSandbox.State {
    mutating func end(session id: String) {
        guard let session = sessions.removeValue(forKey: id) else { return }
        accessTokens[session.accessToken] = nil
        if let refreshToken = session.refreshToken { refreshTokens[refreshToken] = nil }
    }
}
