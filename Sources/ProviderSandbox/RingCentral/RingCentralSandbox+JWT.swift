import Crypto
import Foundation
import Vapor

/// RingCentral's JWT sign-in for server apps: `POST /restapi/oauth/token` with Basic client
/// authentication and `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`
/// (the spec's `JwtTokenRequest`), answered with the same `TokenInfo` as the code flow. The JWT
/// credential is one a user made in the developer console: here `issueJWTCredential()` makes
/// one (signed by this sandbox, so a forged or altered one is refused), and it may expire and
/// can be revoked.
///
/// A refused credential answers 400 `invalid_grant` in the token endpoint's envelope. Which
/// `errorCode` RingCentral puts in `errors[]` for a refused JWT is not documented; `OAU-140`
/// ("Invalid resource owner credentials") is what it answers a refused password grant, the
/// flow its guide calls "almost identical", so the sandbox uses it.
extension RingCentralSandbox {
    static let jwtGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    // MARK: Public controls

    /// A new JWT credential for the sandbox's user, valid until revoked or (when given) until `expiresIn` seconds from now.
    public func issueJWTCredential(expiresIn: TimeInterval? = nil) -> String {
        let now = Date()
        let id = UUID().uuidString.lowercased()
        let expires = expiresIn.map { now.addingTimeInterval($0) }
        var claims: [String: Any] = ["aud": "https://platform.ringcentral.com/restapi/oauth/token", "iss": "https://platform.ringcentral.com",
                                     "sub": Self.extensionID, "iat": Int(now.timeIntervalSince1970), "jti": id]
        if let expires { claims["exp"] = Int(expires.timeIntervalSince1970) }
        let header = Self.base64URL(["alg": "HS256", "typ": "JWT"])
        let payload = Self.base64URL(claims)
        let credential = header + "." + payload + "." + signature(header + "." + payload)
        state.withLockedValue { $0.jwtCredentials[id] = JWTCredential(expires: expires) }
        return credential
    }

    /// Revokes one JWT credential, or (nil) every one, as its owner can in the developer console.
    public func revokeJWTCredential(_ credential: String? = nil) {
        let target = credential.flatMap(verifiedID)
        state.withLockedValue { state in
            for id in state.jwtCredentials.keys where credential == nil || id == target {
                state.jwtCredentials[id]?.revoked = true
            }
        }
    }

    // MARK: The grant

    func signIn(_ form: [String: String], client: String) -> Response {
        guard let assertion = form["assertion"], !assertion.isEmpty else {
            return Self.oauthError(.badRequest, "invalid_request", "CMN-100", "Mandatory parameter [assertion] not specified.",
                                   parameterName: "assertion")
        }
        let usable = state.withLockedValue { state -> Bool in
            guard let id = verifiedID(assertion), let credential = state.jwtCredentials[id], !credential.revoked else { return false }
            return credential.expires.map { $0 > Date() } ?? true
        }
        guard usable else { return invalidGrant("OAU-140", "Invalid resource owner credentials") }
        return tokenResponse(newSession(client: client))
    }

    /// The credential's id when its signature is this sandbox's, else nil.
    private func verifiedID(_ credential: String) -> String? {
        let parts = credential.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, signature(parts[0] + "." + parts[1]) == parts[2],
              let data = Self.base64URLDecoded(parts[1]),
              let claims = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        return claims["jti"] as? String
    }

    private func signature(_ signed: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(signed.utf8), using: jwtSigningKey)).base64URLEncoded()
    }

    private static func base64URL(_ object: [String: Any]) -> String {
        ((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()).base64URLEncoded()
    }

    private static func base64URLDecoded(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
