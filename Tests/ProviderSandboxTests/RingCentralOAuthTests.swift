import Foundation
import ProviderSandbox
import Testing

@Suite("RingCentral sandbox: OAuth")
struct RingCentralOAuthTests {
    @Test("authorize page, approve, then code for tokens with Basic auth and PKCE")
    func authorizationCodeFlowWithPKCE() async throws {
        try await withSandbox { $0.redirectURIs = [redirectURI] } run: { server in
            let verifier = "verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
            let query = form(["response_type": "code", "client_id": "rc-sandbox-client-id", "redirect_uri": redirectURI,
                              "state": "xyz", "code_challenge": pkceChallenge(verifier), "code_challenge_method": "S256"])
            let page = try await send(.GET, server.baseURL + "/restapi/oauth/authorize?" + String(decoding: query, as: UTF8.self))
            #expect(page.status == 200)
            #expect(page.text.contains("Allow LeadBridge to access your RingCentral account?"))
            #expect(page.text.contains("name=\"decision\" value=\"approve\""))

            var fields = ["response_type": "code", "client_id": "rc-sandbox-client-id", "redirect_uri": redirectURI, "state": "xyz",
                          "code_challenge": pkceChallenge(verifier), "code_challenge_method": "S256", "decision": "approve"]
            let approved = try await send(.POST, server.baseURL + "/restapi/oauth/authorize", headers: [formType], body: form(fields))
            #expect(approved.status == 302)
            let location = try #require(approved.header("Location").flatMap { URLComponents(string: $0) })
            #expect(location.path == "/oauth/callback")
            #expect(location.queryItems?.first { $0.name == "state" }?.value == "xyz")
            let code = try #require(location.queryItems?.first { $0.name == "code" }?.value)

            // Without the verifier the code is refused (and spent).
            let noVerifier = try await send(.POST, server.baseURL + "/restapi/oauth/token", headers: [basic(), formType],
                                            body: form(["grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI]))
            #expect(noVerifier.status == 400)
            #expect(noVerifier.json["error"] as? String == "invalid_grant")

            let code2 = try #require(URLComponents(string: try await send(.POST, server.baseURL + "/restapi/oauth/authorize", headers: [formType],
                                                                          body: form(fields)).header("Location") ?? "")?
                .queryItems?.first { $0.name == "code" }?.value)
            let tokens = try await send(.POST, server.baseURL + "/restapi/oauth/token", headers: [basic(), formType],
                                        body: form(["grant_type": "authorization_code", "code": code2, "redirect_uri": redirectURI,
                                                    "code_verifier": verifier]))
            #expect(tokens.status == 200)
            #expect(tokens.json["token_type"] as? String == "bearer")
            #expect(tokens.json["expires_in"] as? Int == 3600)
            #expect(tokens.json["refresh_token_expires_in"] as? Int == 604_800)
            #expect(tokens.json["owner_id"] as? String == "401234567891")
            #expect((tokens.json["scope"] as? String)?.contains("SMS") == true)
            #expect(tokens.header("X-Rate-Limit-Group") == "auth")

            // Deny goes back with access_denied.
            fields["decision"] = "deny"
            let denied = try await send(.POST, server.baseURL + "/restapi/oauth/authorize", headers: [formType], body: form(fields))
            #expect(denied.status == 302)
            #expect(denied.header("Location")?.contains("error=access_denied") == true)
            #expect(denied.header("Location")?.contains("state=xyz") == true)
            #expect(server.ringCentral.stats.tokenRequests["authorization_code"] == 2)
            #expect(server.ringCentral.stats.invalidGrants == 1)
        }
    }

    @Test("a bad client or redirect URI gets an error page, never a redirect")
    func badClientOrRedirect() async throws {
        try await withSandbox { $0.redirectURIs = [redirectURI] } run: { server in
            for (client, uri) in [("someone-else", redirectURI), ("rc-sandbox-client-id", "http://evil.example/cb")] {
                let query = String(decoding: form(["response_type": "code", "client_id": client, "redirect_uri": uri, "state": "s"]), as: UTF8.self)
                let page = try await send(.GET, server.baseURL + "/restapi/oauth/authorize?" + query)
                #expect(page.status == 400)
                #expect(page.header("Location") == nil)
                #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
            }
        }
    }

    @Test("codes are single use, expire, and need the same redirect URI; the client must authenticate")
    func codeRules() async throws {
        try await withSandbox { server in
            func code() async throws -> String {
                try await send(.POST, server.baseURL + "/_sandbox/ringcentral/authorize", headers: [jsonType],
                               body: jsonBody(["redirect_uri": redirectURI])).json["code"] as! String
            }
            func exchange(_ code: String, _ uri: String = redirectURI, auth: (String, String) = basic()) async throws -> Answer {
                try await send(.POST, server.baseURL + "/restapi/oauth/token", headers: [auth, formType],
                               body: form(["grant_type": "authorization_code", "code": code, "redirect_uri": uri]))
            }
            let first = try await code()
            #expect(try await exchange(first).status == 200)
            let reused = try await exchange(first)
            #expect(reused.status == 400)
            #expect(reused.json["error"] as? String == "invalid_grant")

            let wrongURI = try await exchange(try await code(), "http://127.0.0.1:9/other")
            #expect(wrongURI.json["error"] as? String == "invalid_grant")

            let wrongSecret = try await exchange(try await code(), auth: basic("rc-sandbox-client-id", "nope"))
            #expect(wrongSecret.status == 401)
            #expect(wrongSecret.json["error"] as? String == "invalid_client")
            #expect(wrongSecret.errorCode == "OAU-123")

            server.ringCentral.settings.authorizationCodeTTL = 0
            let expired = try await exchange(try await code())
            #expect(expired.status == 400)
            #expect(expired.errorCode == "OAU-108")
        }
    }

    @Test("refresh tokens rotate and are single use; the old access token dies")
    func refreshRotation() async throws {
        try await withSandbox { server in
            let tokens = try await connect(server)
            func refresh(_ token: String) async throws -> Answer {
                try await send(.POST, server.baseURL + "/restapi/oauth/token", headers: [basic(), formType],
                               body: form(["grant_type": "refresh_token", "refresh_token": token]))
            }
            let rotated = try await refresh(tokens.refresh)
            #expect(rotated.status == 200)
            let newAccess = try #require(rotated.json["access_token"] as? String)
            #expect(newAccess != tokens.access)
            #expect(rotated.json["refresh_token"] as? String != tokens.refresh)

            let reuse = try await refresh(tokens.refresh)
            #expect(reuse.status == 400)
            #expect(reuse.json["error"] as? String == "invalid_grant")
            #expect(reuse.json["error_description"] as? String == "Token not found")
            #expect(reuse.errorCode == "OAU-211")

            let old = try await send(.GET, server.baseURL + "/restapi/v1.0/account/~", headers: [tokens.bearer])
            #expect(old.status == 401)
            #expect(old.errorCode == "OAU-213")
            let fresh = try await send(.GET, server.baseURL + "/restapi/v1.0/account/~", headers: [("Authorization", "Bearer " + newAccess)])
            #expect(fresh.status == 200)
            #expect(server.ringCentral.stats.tokenRequests["refresh_token"] == 2)
            #expect(server.ringCentral.stats.invalidGrants == 1)
        }
    }

    @Test("JWT sign-in: a credential the sandbox issued gets tokens (Basic client auth, the jwt-bearer grant); a forged, revoked or expired one is refused with invalid_grant in the token envelope")
    func jwtBearerGrant() async throws {
        // More sign-ins than the Auth group's 5 a minute.
        try await withSandbox { $0.limits["Auth"] = 100 } run: { server in
            let jwtGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
            func signIn(_ assertion: String?, auth: (String, String) = basic()) async throws -> Answer {
                var fields = ["grant_type": jwtGrant]
                fields["assertion"] = assertion
                return try await send(.POST, server.baseURL + "/restapi/oauth/token", headers: [auth, formType], body: form(fields))
            }
            let jwt = try #require(try await send(.POST, server.baseURL + "/_sandbox/ringcentral/jwt", headers: [jsonType],
                                                  body: jsonBody([:])).json["jwt"] as? String)
            #expect(jwt.split(separator: ".").count == 3, "a JWT: header.payload.signature")

            let tokens = try await signIn(jwt)
            #expect(tokens.status == 200)
            #expect(tokens.header("X-Rate-Limit-Group") == "auth")
            #expect(tokens.json["token_type"] as? String == "bearer")
            #expect(tokens.json["refresh_token"] is String)
            #expect(tokens.json["owner_id"] as? String == "401234567891")
            let access = try #require(tokens.json["access_token"] as? String)
            #expect(try await send(.GET, server.baseURL + "/restapi/v1.0/account/~", headers: [("Authorization", "Bearer " + access)]).status == 200)
            // The same credential signs in again: it is not single-use like a refresh token.
            #expect(try await signIn(jwt).status == 200)

            let forged = try await signIn(String(jwt.dropLast(3)) + "abc")
            #expect(forged.status == 400)
            #expect(forged.json["error"] as? String == "invalid_grant")
            #expect(forged.json["error_description"] is String)
            #expect(forged.errorCode == "OAU-140")
            #expect(try await signIn(nil).json["error"] as? String == "invalid_request")
            #expect(try await signIn(jwt, auth: basic("rc-sandbox-client-id", "nope")).json["error"] as? String == "invalid_client")

            _ = try await send(.POST, server.baseURL + "/_sandbox/ringcentral/jwt/revoke", headers: [jsonType], body: jsonBody(["jwt": jwt]))
            let revoked = try await signIn(jwt)
            #expect(revoked.status == 400)
            #expect(revoked.json["error"] as? String == "invalid_grant")

            let expiring = server.ringCentral.issueJWTCredential(expiresIn: -1)
            #expect(try await signIn(expiring).json["error"] as? String == "invalid_grant")
            #expect(server.ringCentral.stats.tokenRequests[jwtGrant] == 6)
        }
    }

    @Test("an app set not to issue refresh tokens gets none: no refresh_token in the answer, and refresh grants are refused")
    func noRefreshTokens() async throws {
        try await withSandbox { $0.issueRefreshTokens = false } run: { server in
            let code = try await send(.POST, server.baseURL + "/_sandbox/ringcentral/authorize", headers: [jsonType],
                                      body: jsonBody(["redirect_uri": redirectURI])).json["code"] as! String
            let tokens = try await send(.POST, server.baseURL + "/restapi/oauth/token", headers: [basic(), formType],
                                        body: form(["grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI]))
            #expect(tokens.status == 200)
            #expect(tokens.json["access_token"] is String)
            #expect(tokens.json["refresh_token"] == nil)
            #expect(tokens.json["refresh_token_expires_in"] == nil)
            #expect(tokens.json["expires_in"] as? Int == 3600)
            let refresh = try await send(.POST, server.baseURL + "/restapi/oauth/token", headers: [basic(), formType],
                                         body: form(["grant_type": "refresh_token", "refresh_token": "anything"]))
            #expect(refresh.status == 400)
            #expect(refresh.json["error"] as? String == "invalid_grant")
            let access = try #require(tokens.json["access_token"] as? String)
            #expect(try await send(.GET, server.baseURL + "/restapi/v1.0/account/~", headers: [("Authorization", "Bearer " + access)]).status == 200)
        }
    }

    @Test("401 codes: missing header, unknown token, expired token; expiry leaves the refresh token valid")
    func unauthorizedCodes() async throws {
        try await withSandbox { server in
            let tokens = try await connect(server)
            let url = server.baseURL + "/restapi/v1.0/account/~/extension/~"
            let missing = try await send(.GET, url)
            #expect(missing.status == 401)
            #expect(missing.errorCode == "AGW-401")
            #expect(missing.json["errorCode"] as? String == "AGW-401")
            let unknown = try await send(.GET, url, headers: [("Authorization", "Bearer nonsense")])
            #expect(unknown.errorCode == "OAU-213")
            // RingCentral's shape: the generic code outside, the specific one in errors[].
            #expect(unknown.json["errorCode"] as? String == "TokenInvalid")

            server.ringCentral.expireAccessTokens()
            let expired = try await send(.GET, url, headers: [tokens.bearer])
            #expect(expired.status == 401)
            #expect(expired.errorCode == "OAU-128")
            #expect(expired.json["errorCode"] as? String == "TokenInvalid")
            #expect(expired.json["message"] as? String == "Access token expired")
            let refreshed = try await send(.POST, server.baseURL + "/restapi/oauth/token", headers: [basic(), formType],
                                           body: form(["grant_type": "refresh_token", "refresh_token": tokens.refresh]))
            #expect(refreshed.status == 200)
        }
    }

    @Test("revoke ends the session; revokeAllTokens kills refresh tokens too")
    func revoke() async throws {
        try await withSandbox { server in
            let tokens = try await connect(server)
            let revoked = try await send(.POST, server.baseURL + "/restapi/oauth/revoke", headers: [basic(), formType],
                                         body: form(["token": tokens.access]))
            #expect(revoked.status == 200)
            #expect(try await send(.GET, server.baseURL + "/restapi/v1.0/account/~", headers: [tokens.bearer]).status == 401)
            let refresh = try await send(.POST, server.baseURL + "/restapi/oauth/token", headers: [basic(), formType],
                                         body: form(["grant_type": "refresh_token", "refresh_token": tokens.refresh]))
            #expect(refresh.json["error"] as? String == "invalid_grant")

            let second = try await connect(server)
            server.ringCentral.revokeAllTokens()
            let dead = try await send(.POST, server.baseURL + "/restapi/oauth/token", headers: [basic(), formType],
                                      body: form(["grant_type": "refresh_token", "refresh_token": second.refresh]))
            #expect(dead.status == 400)
            #expect(dead.json["error"] as? String == "invalid_grant")
            #expect(server.ringCentral.stats.revoked == 2)
        }
    }
}
