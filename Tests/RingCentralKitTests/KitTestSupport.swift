import AsyncHTTPClient
import Foundation
import ProviderSandbox
import RingCentralKit

/// A sandbox, an OAuth client and a connected client on an in-memory token store, connected
/// through the authorization-code flow or (`jwt`) by signing in with a JWT credential.
struct ConnectedKit {
    static let redirectURI = "http://localhost:8000/api/integrations/ringcentral/callback"

    let sandbox: SandboxServer
    let limiter: RingCentralRateLimiter
    let oauth: RingCentralOAuth
    let store: InMemoryRingCentralTokenStore
    let tokens: RingCentralTokenManager
    let client: RingCentralClient
    /// The JWT credential the kit signed in with (and the token manager signs in with again).
    let jwt: String?

    static func start(adjust: (inout RingCentralSandboxSettings) -> Void = { _ in },
                      options: RingCentralClientOptions = .init(), jwt useJWT: Bool = false) async throws -> ConnectedKit {
        let sandbox = try await SandboxServer.start()
        var settings = sandbox.ringCentral.settings
        adjust(&settings)
        sandbox.ringCentral.settings = settings
        let limiter = RingCentralRateLimiter()
        let oauth = RingCentralOAuth(serverURL: sandbox.ringCentralURL,
                                     credentials: .init(clientID: sandbox.ringCentral.clientID, clientSecret: sandbox.ringCentral.clientSecret),
                                     redirectURI: redirectURI, httpClient: .shared, limiter: limiter, options: options)
        let jwt = useJWT ? sandbox.ringCentral.issueJWTCredential() : nil
        let issued: RingCentralTokenSet
        if let jwt {
            issued = try await oauth.signIn(jwt: jwt)
        } else {
            let pkce = RingCentralOAuth.PKCE.make()
            let code = sandbox.ringCentral.issueAuthorizationCode(redirectURI: redirectURI, codeChallenge: pkce.challenge,
                                                                  codeChallengeMethod: "S256")
            issued = try await oauth.exchange(code: code, codeVerifier: pkce.verifier)
        }
        let store = InMemoryRingCentralTokenStore(issued)
        let tokens = RingCentralTokenManager(store: store, oauth: oauth, jwt: jwt)
        let client = RingCentralClient(serverURL: sandbox.ringCentralURL, tokens: tokens, httpClient: .shared,
                                       limiter: limiter, options: options)
        return ConnectedKit(sandbox: sandbox, limiter: limiter, oauth: oauth, store: store, tokens: tokens, client: client, jwt: jwt)
    }

    var refreshRequests: Int { sandbox.ringCentral.stats.tokenRequests["refresh_token"] ?? 0 }
    var jwtSignIns: Int { sandbox.ringCentral.stats.tokenRequests["urn:ietf:params:oauth:grant-type:jwt-bearer"] ?? 0 }

    /// A second "process": its own token manager, OAuth client and limiter, the same store.
    func otherProcess() -> (tokens: RingCentralTokenManager, client: RingCentralClient) {
        let limiter = RingCentralRateLimiter()
        let oauth = RingCentralOAuth(serverURL: sandbox.ringCentralURL, credentials: oauth.credentials,
                                     redirectURI: ConnectedKit.redirectURI, httpClient: .shared, limiter: limiter)
        let tokens = RingCentralTokenManager(store: store, oauth: oauth, jwt: jwt)
        return (tokens, RingCentralClient(serverURL: sandbox.ringCentralURL, tokens: tokens, httpClient: .shared, limiter: limiter))
    }

    /// Makes the stored access token look about to expire, as it would 55 minutes in.
    func ageStoredToken() async throws {
        var current = try await store.load()!
        current.expiresAt = Date().addingTimeInterval(60)
        await store.replace(current)
        await tokens.reset()
    }

    func stop() async { await sandbox.stop() }
}

/// Runs `body` with a connected kit and always stops the sandbox.
func withConnectedKit(adjust: (inout RingCentralSandboxSettings) -> Void = { _ in }, options: RingCentralClientOptions = .init(),
                      jwt: Bool = false, _ body: (ConnectedKit) async throws -> Void) async throws {
    let kit = try await ConnectedKit.start(adjust: adjust, options: options, jwt: jwt)
    do { try await body(kit) } catch { await kit.stop(); throw error }
    await kit.stop()
}
