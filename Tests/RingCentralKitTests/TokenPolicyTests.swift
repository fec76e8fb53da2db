import Foundation
import ProviderSandbox
import RingCentralKit
import Testing

@Suite("RingCentral token policy")
struct TokenPolicyTests {
    @Test("a token expiring within the margin is refreshed before the call, and the new pair is stored")
    func proactiveRefresh() async throws {
        try await withConnectedKit { kit in
            let before = try await kit.store.load()!
            _ = try await kit.client.account()
            #expect(kit.refreshRequests == 0)

            try await kit.ageStoredToken()
            let account = try await kit.client.account()
            #expect(account.id > 0)
            #expect(kit.refreshRequests == 1)
            let after = try await kit.store.load()!
            #expect(after.refreshToken != before.refreshToken)
            #expect(after.expiresAt > Date().addingTimeInterval(3000))
        }
    }

    @Test("50 concurrent calls at expiry make exactly one refresh")
    func concurrentCallersShareOneRefresh() async throws {
        try await withConnectedKit(adjust: { $0.limits["Light"] = 1000 }) { kit in
            try await kit.ageStoredToken()
            try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<50 { group.addTask { try await kit.client.extensionInfo().id } }
                var answered = 0
                for try await _ in group { answered += 1 }
                #expect(answered == 50)
            }
            #expect(kit.refreshRequests == 1)
            #expect(kit.sandbox.ringCentral.stats.invalidGrants == 0)
        }
    }

    @Test("a 401 saying the token expired gets one refresh and one retry")
    func reactiveRefreshOn401() async throws {
        try await withConnectedKit(adjust: { $0.limits["Light"] = 1000 }) { kit in
            _ = try await kit.client.account()
            kit.sandbox.ringCentral.expireAccessTokens()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 { group.addTask { _ = try await kit.client.account() } }
                try await group.waitForAll()
            }
            #expect(kit.refreshRequests == 1)
        }
    }

    @Test("a refused refresh token reports that re-authorisation is needed, once")
    func invalidGrantNeedsReauthorization() async throws {
        try await withConnectedKit { kit in
            try await kit.ageStoredToken()
            kit.sandbox.ringCentral.revokeAllTokens()
            await #expect(throws: RingCentralError.self) { _ = try await kit.client.account() }
            do {
                _ = try await kit.client.account()
                Issue.record("the call should fail")
            } catch let error as RingCentralError {
                #expect(error.needsReauthorization)
            }
            let reason = await kit.store.reauthorizationReason
            #expect(reason?.contains("reconnect") == true)
            #expect(kit.sandbox.ringCentral.stats.invalidGrants >= 1)
        }
    }

    @Test("two processes' managers on one store refresh once: the second finds the new pair")
    func crossProcessRefreshIsSingle() async throws {
        try await withConnectedKit(adjust: { $0.limits["Light"] = 1000 }) { kit in
            let other = kit.otherProcess().client
            try await kit.ageStoredToken()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 { group.addTask { _ = try await (index.isMultiple(of: 2) ? kit.client : other).account() } }
                try await group.waitForAll()
            }
            #expect(kit.refreshRequests == 1)
            #expect(kit.sandbox.ringCentral.stats.invalidGrants == 0)
        }
    }

    @Test("a token answer without refresh_token is accepted: nothing is refreshed, the token is used until it expires, then re-authorisation is needed without a request")
    func noRefreshTokenIssued() async throws {
        try await withConnectedKit(adjust: { $0.issueRefreshTokens = false }) { kit in
            let issued = try #require(try await kit.store.load())
            #expect(issued.refreshToken == nil)
            #expect(issued.refreshTokenExpiresAt == nil)

            // Inside the refresh margin: there is nothing to refresh with, so it is used as it is.
            try await kit.ageStoredToken()
            _ = try await kit.client.account()
            _ = try await kit.client.account()
            #expect(kit.refreshRequests == 0)

            // Expired: the call fails here, saying why, without a request to RingCentral.
            var stored = try #require(try await kit.store.load())
            stored.expiresAt = Date().addingTimeInterval(-1)
            await kit.store.replace(stored)
            await kit.tokens.reset()
            kit.sandbox.ringCentral.resetStats()
            do {
                _ = try await kit.client.account()
                Issue.record("an expired token that cannot be renewed must not be used")
            } catch let error as RingCentralError {
                #expect(error == .noRefreshToken)
                #expect(error.needsReauthorization)
            }
            #expect(kit.sandbox.ringCentral.stats.totalCalls == 0)
            let reason = await kit.store.reauthorizationReason
            #expect(reason?.contains("no refresh token") == true)
        }
    }

    @Test("without a refresh token, a 401 for an access token RingCentral already expired asks for re-authorisation instead of retrying")
    func noRefreshTokenAfter401() async throws {
        try await withConnectedKit(adjust: { $0.issueRefreshTokens = false }) { kit in
            _ = try await kit.client.account()
            kit.sandbox.ringCentral.expireAccessTokens()
            await #expect(throws: RingCentralError.noRefreshToken) { _ = try await kit.client.account() }
            #expect(kit.sandbox.ringCentral.stats.tokenRequests["refresh_token"] == nil)
        }
    }

    @Test("a token killed by another process's refresh answers 401 TokenInvalid/OAU-213: replaced from the store, the call succeeds, no second refresh")
    func tokenKilledByAnotherProcessIsReplaced() async throws {
        try await withConnectedKit { kit in
            // This process holds the pair in its cache.
            _ = try await kit.client.account()
            // The other process sees it near expiry and refreshes: RingCentral kills the old access token.
            var stored = try #require(try await kit.store.load())
            stored.expiresAt = Date().addingTimeInterval(60)
            await kit.store.replace(stored)
            let other = kit.otherProcess()
            _ = try await other.client.account()
            #expect(kit.refreshRequests == 1)

            // This process's next call meets the 401 in RingCentral's shape and recovers.
            let account = try await kit.client.account()
            #expect(account.id > 0)
            #expect(kit.refreshRequests == 1, "the new pair was found in the store; nothing was refreshed again")
            let mine = await kit.tokens.statistics
            #expect(mine.refreshesSent == 0)
            #expect(mine.refreshesFoundDone == 1)
            #expect(kit.sandbox.ringCentral.stats.invalidGrants == 0)
        }
    }
}
