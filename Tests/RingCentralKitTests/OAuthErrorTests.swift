import Foundation
import ProviderSandbox
import RingCentralKit
import Testing

/// What a refused sign-in says: a used or expired authorization code is not a refused refresh
/// token, and `unauthorized_client` is a grant type the app lacks, not a wrong secret.
@Suite("RingCentral sign-in errors")
struct OAuthErrorTests {
    @Test("a code used twice is authorizationCodeRefused, and its sentence says to press Connect again")
    func aRefusedCodeIsNotARefusedRefreshToken() async throws {
        let sandbox = try await SandboxServer.start()
        do {
            let oauth = RingCentralOAuth(serverURL: sandbox.ringCentralURL,
                                         credentials: .init(clientID: sandbox.ringCentral.clientID, clientSecret: sandbox.ringCentral.clientSecret),
                                         redirectURI: ConnectedKit.redirectURI, httpClient: .shared, limiter: RingCentralRateLimiter())
            let pkce = RingCentralOAuth.PKCE.make()
            let code = sandbox.ringCentral.issueAuthorizationCode(redirectURI: ConnectedKit.redirectURI, codeChallenge: pkce.challenge,
                                                                  codeChallengeMethod: "S256")
            _ = try await oauth.exchange(code: code, codeVerifier: pkce.verifier)
            do {
                _ = try await oauth.exchange(code: code, codeVerifier: pkce.verifier)
                Issue.record("a used code was accepted")
            } catch let error as RingCentralError {
                guard case .authorizationCodeRefused = error else { Issue.record("\(error)"); throw error }
                #expect(error.description.contains("press Connect RingCentral again"))
                #expect(!error.description.contains("refresh token"))
            }
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    @Test("an app without the JWT grant answers unauthorized_client: grantTypeNotAllowed, naming the grant type to enable, not the client secret")
    func unauthorizedClientIsAGrantType() async throws {
        let sandbox = try await SandboxServer.start()
        var settings = sandbox.ringCentral.settings
        settings.grantTypes = ["authorization_code"]
        sandbox.ringCentral.settings = settings
        let oauth = RingCentralOAuth(serverURL: sandbox.ringCentralURL,
                                     credentials: .init(clientID: sandbox.ringCentral.clientID, clientSecret: sandbox.ringCentral.clientSecret),
                                     redirectURI: ConnectedKit.redirectURI, httpClient: .shared, limiter: RingCentralRateLimiter())
        do {
            _ = try await oauth.signIn(jwt: sandbox.ringCentral.issueJWTCredential())
            Issue.record("a JWT sign-in the app may not use was accepted")
        } catch let error as RingCentralError {
            guard case .grantTypeNotAllowed = error else { Issue.record("\(error)"); await sandbox.stop(); return }
            #expect(error.description.contains("enable the grant type"))
            #expect(!error.description.contains("client id or secret"))
        }
        await sandbox.stop()
    }
}
