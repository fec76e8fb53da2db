import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// RingCentral's OAuth 2.0: the authorization-code flow with PKCE (the authorize URL, the code
/// exchange), JWT sign-in, refresh and revoke (`/restapi/oauth/*`, form-encoded, HTTP Basic
/// client auth).
public struct RingCentralOAuth: Sendable {
    public struct Credentials: Sendable, Equatable {
        public var clientID: String
        public var clientSecret: String
        public init(clientID: String, clientSecret: String) { self.clientID = clientID; self.clientSecret = clientSecret }
    }

    /// A PKCE pair: the verifier stays with us, the S256 challenge goes in the authorize URL.
    public struct PKCE: Sendable, Equatable {
        public let verifier: String
        public let challenge: String

        public init(verifier: String) {
            self.verifier = verifier
            self.challenge = Self.base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
        }

        /// 43 characters from 32 random bytes (RFC 7636's recommendation).
        public static func make() -> PKCE {
            var generator = SystemRandomNumberGenerator()
            let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            return PKCE(verifier: base64URL(Data(bytes)))
        }

        static func base64URL(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
    }

    public let serverURL: String
    public let credentials: Credentials
    public let redirectURI: String
    let transport: RingCentralTransport
    let now: @Sendable () -> Date

    public init(serverURL: String, credentials: Credentials, redirectURI: String, httpClient: HTTPClient,
                limiter: RingCentralRateLimiter, options: RingCentralClientOptions = .init(),
                observer: RingCentralRequestObserver? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.serverURL = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        self.credentials = credentials
        self.redirectURI = redirectURI
        self.transport = RingCentralTransport(http: httpClient, limiter: limiter, options: options, observer: observer)
        self.now = now
    }

    /// Where to send the admin's browser. `state` must be unguessable and checked on return.
    public func authorizationURL(state: String, pkce: PKCE) -> String {
        serverURL + "/restapi/oauth/authorize?" + FormEncoding.encode([
            ("response_type", "code"), ("client_id", credentials.clientID), ("redirect_uri", redirectURI),
            ("state", state), ("code_challenge", pkce.challenge), ("code_challenge_method", "S256"),
        ])
    }

    /// Trades the code from the redirect for tokens.
    /// A refused code is `authorizationCodeRefused`, not a refused refresh token: nothing is
    /// wrong with a connection, the admin only presses Connect again.
    public func exchange(code: String, codeVerifier: String) async throws -> RingCentralTokenSet {
        do {
            return try await token([("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
                                    ("code_verifier", codeVerifier)],
                                   audit: ["grant_type": "authorization_code", "code": "[redacted]", "redirect_uri": redirectURI])
        } catch RingCentralError.reauthorizationRequired(let reason) {
            throw RingCentralError.authorizationCodeRefused(reason)
        }
    }

    /// The spec's `JwtTokenRequest` grant (RFC 7523).
    public static let jwtGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    /// Signs in with a JWT credential, RingCentral's recommendation for server apps: no browser
    /// round trip, and the credential (made by a user in RingCentral's developer console) lasts
    /// until it is revoked or reaches the expiry its owner chose, so it can sign in again
    /// whenever an access token runs out. A refused credential is `jwtRefused`.
    public func signIn(jwt: String) async throws -> RingCentralTokenSet {
        do {
            return try await token([("grant_type", Self.jwtGrantType), ("assertion", jwt)],
                                   audit: ["grant_type": Self.jwtGrantType, "assertion": "[redacted]"])
        } catch RingCentralError.reauthorizationRequired(let reason) {
            throw RingCentralError.jwtRefused(reason)
        }
    }

    /// Uses the (single-use) refresh token; the answer's new pair replaces the old one,
    /// which RingCentral has already killed.
    public func refresh(refreshToken: String) async throws -> RingCentralTokenSet {
        try await token([("grant_type", "refresh_token"), ("refresh_token", refreshToken)],
                        audit: ["grant_type": "refresh_token", "refresh_token": "[redacted]"])
    }

    /// Revokes a token (and its pair). RingCentral's advice is to ignore revoke's errors:
    /// the tokens are forgotten here either way.
    public func revoke(token: String) async {
        _ = try? await transport.send(request("/restapi/oauth/revoke", [("token", token)], audit: ["token": "[redacted]"]))
    }

    private func token(_ form: [(String, String)], audit: [String: String]) async throws -> RingCentralTokenSet {
        let response = try await transport.send(request("/restapi/oauth/token", form, audit: audit))
        guard (200..<300).contains(response.status) else {
            throw RingCentralErrorParser.error(status: response.status, body: response.body, group: .auth)
        }
        do {
            let decoded = try JSONDecoder().decode(RingCentralTokenResponse.self, from: response.body)
            if let observer = transport.observer {
                await observer(RingCentralRequestRecord(
                    endpoint: "POST /restapi/oauth/token (tokens issued)", group: .auth, requestBody: nil, status: response.status,
                    responseBody: decoded.auditSummary, durationMilliseconds: 0, error: nil))
            }
            return decoded.tokenSet(receivedAt: now())
        } catch {
            throw RingCentralError.unexpectedResponse("the token answer is not the documented JSON (\(error))")
        }
    }

    private func request(_ path: String, _ form: [(String, String)], audit: [String: String]) -> RingCentralTransport.Request {
        let basic = Data("\(credentials.clientID):\(credentials.clientSecret)".utf8).base64EncodedString()
        return RingCentralTransport.Request(
            method: .POST, url: serverURL + path, endpoint: "POST " + path, group: .auth,
            headers: ["Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"],
            body: Data(FormEncoding.encode(form).utf8),
            auditBody: try? JSONSerialization.data(withJSONObject: audit, options: [.sortedKeys]))
    }
}

/// `application/x-www-form-urlencoded`, strictly: only unreserved characters stay as they are.
/// Public: the captcha checks post their form bodies with it too.
public enum FormEncoding {
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
