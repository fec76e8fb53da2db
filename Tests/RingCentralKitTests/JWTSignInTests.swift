import Foundation
import ProviderSandbox
import RingCentralKit
import Testing

@Suite("RingCentral JWT sign-in")
struct JWTSignInTests {
    @Test("a JWT credential signs in; at expiry a pair with a refresh token is refreshed, as in the code flow")
    func refreshWhenIssued() async throws {
        try await withConnectedKit(jwt: true) { kit in
            #expect(kit.jwtSignIns == 1)
            #expect(try await kit.store.load()?.refreshToken != nil)
            try await kit.ageStoredToken()
            _ = try await kit.client.account()
            #expect(kit.refreshRequests == 1)
            #expect(kit.jwtSignIns == 1)
        }
    }

    @Test("without a refresh token, expiry is handled by signing in with the JWT again: once for 50 callers in two processes")
    func signInAgainWithoutRefreshToken() async throws {
        try await withConnectedKit(adjust: { $0.issueRefreshTokens = false; $0.limits["Light"] = 1000 }, jwt: true) { kit in
            let before = try #require(try await kit.store.load())
            #expect(before.refreshToken == nil)
            let other = kit.otherProcess()
            try await kit.ageStoredToken()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 { group.addTask { _ = try await (index.isMultiple(of: 2) ? kit.client : other.client).account() } }
                try await group.waitForAll()
            }
            #expect(kit.jwtSignIns == 2, "the first sign-in and exactly one more")
            #expect(kit.refreshRequests == 0)
            let after = try #require(try await kit.store.load())
            #expect(after.accessToken != before.accessToken)
            #expect(after.expiresAt > Date().addingTimeInterval(3000))
            let signIns = await kit.tokens.statistics.signInsSent + other.tokens.statistics.signInsSent
            #expect(signIns == 1)
        }
    }

    @Test("a refused refresh token is not the end while the JWT still signs in")
    func refusedRefreshFallsBackToJWT() async throws {
        try await withConnectedKit(jwt: true) { kit in
            kit.sandbox.ringCentral.revokeAllTokens()
            try await kit.ageStoredToken()
            _ = try await kit.client.account()
            #expect(kit.refreshRequests == 1)
            #expect(kit.jwtSignIns == 2)
            let reason = await kit.store.reauthorizationReason
            #expect(reason == nil)
        }
    }

    @Test("a refused JWT credential says so, and the store is told that only an admin can help")
    func refusedJWT() async throws {
        try await withConnectedKit(adjust: { $0.issueRefreshTokens = false }, jwt: true) { kit in
            kit.sandbox.ringCentral.revokeJWTCredential()
            var stored = try #require(try await kit.store.load())
            stored.expiresAt = Date().addingTimeInterval(-1)
            await kit.store.replace(stored)
            await kit.tokens.reset()
            do {
                _ = try await kit.client.account()
                Issue.record("the call should fail")
            } catch let error as RingCentralError {
                guard case .jwtRefused = error else { Issue.record("expected jwtRefused, got \(error)"); return }
                #expect(error.needsReauthorization)
                #expect(error.description.contains("JWT credential"))
                #expect(error.description.contains("developer console"))
                #expect(!error.description.contains(kit.jwt!))
            }
            let reason = await kit.store.reauthorizationReason
            #expect(reason?.contains("JWT credential") == true)
            #expect(kit.sandbox.ringCentral.stats.invalidGrants == 1)
        }
    }
}
