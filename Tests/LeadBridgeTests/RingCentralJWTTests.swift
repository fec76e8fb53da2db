import Fluent
import Foundation
import ProviderSandbox
import RingCentralKit
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

@Suite("RingCentral JWT sign-in")
struct RingCentralJWTTests {
    static let jwtGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    @Test("Connect with JWT: the admin pastes a JWT credential (sealed, never shown again) and connects without a browser round trip; nothing secret in the logs")
    func connectWithPastedJWT() async throws {
        try await withRingCentral(connected: false) { app, sandbox in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let jwt = sandbox.ringCentral.issueJWTCredential()
            var page = try await browser.get("/admin/integrations/ringcentral")
            #expect(page.text.contains("JWT credential"))
            #expect(!page.text.contains("Connect with JWT"), "nothing to connect with yet")
            #expect(try await browser.post("/admin/integrations/ringcentral/connect-jwt", form: [:]).status == .conflict)

            let bad = try await app.saveRingCentralJWT("not a jwt", browser, expect: .unprocessableEntity)
            #expect(bad.text.contains("does not look like a JWT credential"))
            // Pasted from a wrapped line: the line break is not part of the credential.
            _ = try await app.saveRingCentralJWT(String(jwt.prefix(40)) + "\n " + String(jwt.dropFirst(40)), browser)
            #expect(try await app.services.ringCentral.settings.load().jwt == jwt)
            let row = try #require(try await IntegrationSetting.query(on: app.db).filter(\.$provider == "ringcentral").first())
            #expect(row.credentials?["jwt"]?.hasPrefix("lb1.") == true)
            page = try await browser.get("/admin/integrations/ringcentral")
            #expect(page.text.contains("Connect with JWT"))
            #expect(!page.text.contains(jwt))

            try await app.connectRingCentralWithJWT(browser)
            #expect(sandbox.ringCentral.stats.tokenRequests[Self.jwtGrant] == 1)
            #expect(sandbox.ringCentral.stats.tokenRequests["authorization_code"] == nil)
            page = try await browser.get("/admin/integrations/ringcentral")
            for expected in ["401234567890", "+16505550100", "SmsSender", "Disconnect"] {
                #expect(page.text.contains(expected), "the page should show \(expected)")
            }
            #expect(!page.text.contains(jwt))

            // A blank field keeps the stored credential.
            _ = try await app.saveRingCentralJWT("", browser)
            #expect(try await app.services.ringCentral.settings.load().jwt == jwt)

            // It can be removed (a credential revoked in RingCentral's console, a user who left):
            // not together with a new one, which would be ambiguous.
            let both = try await app.saveRingCentralJWT(jwt, browser, forget: true, expect: .unprocessableEntity)
            #expect(both.text.contains("Either paste a new JWT credential or remove the saved one"))
            #expect(try await app.services.ringCentral.settings.load().jwt == jwt)
            page = try await browser.get("/admin/integrations/ringcentral")
            #expect(page.text.contains("Remove the saved JWT credential"))
            let removed = try await app.saveRingCentralJWT("", browser, forget: true)
            let landing = try #require(removed.location)
            #expect(landing.hasPrefix("/admin/integrations/ringcentral?notice="))
            #expect(try await app.services.ringCentral.settings.load().jwt == nil)
            let rowAfter = try #require(try await IntegrationSetting.query(on: app.db).filter(\.$provider == "ringcentral").first())
            #expect(rowAfter.credentials?["jwt"] == nil, "the sealed credential is gone from the database")
            page = try await browser.get(landing)
            #expect(page.text.contains("The saved JWT credential is removed"))
            #expect(!page.text.contains("Remove the saved JWT credential"))
            #expect(!page.text.contains("Reconnect with JWT"))
            // What was connected stays connected, until its tokens run out.
            #expect(page.text.contains("Disconnect"))

            await app.services.ringCentral.pendingLogs.drain()
            let tokens = try #require(try await app.storedRingCentralTokens())
            let logs = try await IntegrationLog.query(on: app.db).filter(\.$provider == "ringcentral").all()
            let auditText = logs.map { [$0.payload?.text ?? "", $0.response?.text ?? "", $0.errorMessage ?? ""].joined(separator: " ") }.joined()
            #expect(auditText.contains("jwt-bearer"), "the sign-in is in the audit trail")
            for secret in [jwt, tokens.accessToken] { #expect(!auditText.contains(secret)) }
        }
    }

    @Test("RINGCENTRAL_JWT, no refresh tokens: at expiry the JWT signs in again, once for two app instances of 50 callers each")
    func expiryRenewedBySigningInAgain() async throws {
        try await withRingCentral(connected: false, environmentJWT: true,
                                  sandboxSettings: { $0.issueRefreshTokens = false; $0.limits["Light"] = 10_000 }) { app, sandbox in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin/integrations/ringcentral")
            #expect(page.text.contains("from RINGCENTRAL_JWT"))
            try await app.connectRingCentralWithJWT(browser)
            let connected = try await browser.get("/admin/integrations/ringcentral")
            #expect(!connected.text.contains("Re-authorisation will be needed"), "the JWT renews access by itself")
            #expect(connected.text.contains("signs in again with the JWT credential"))

            let second = try await Application.make(.testing)
            second.logger.logLevel = .warning
            do {
                try await configure(second, config: app.services.config)
                // Both learn the sandbox's raised Light limit (they share one budget).
                for instance in [app, second] {
                    await instance.services.ringCentral.limiter.observe(group: .light, limit: 10_000, window: 60, remaining: nil)
                }
                try await app.ageRingCentralToken()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<100 {
                        let instance = index.isMultiple(of: 2) ? app : second
                        group.addTask { _ = try await instance.services.ringCentral.client().extensionInfo() }
                    }
                    try await group.waitForAll()
                }
                #expect(sandbox.ringCentral.stats.tokenRequests[Self.jwtGrant] == 2, "connect, then exactly one sign-in again")
                #expect(sandbox.ringCentral.stats.tokenRequests["refresh_token"] == nil)
                #expect(sandbox.ringCentral.stats.invalidGrants == 0)
                #expect(try await app.storedRingCentralTokens()?.expiresAt ?? .distantPast > Date().addingTimeInterval(3000))
                await second.services.ringCentral.pendingLogs.drain()
            } catch {
                try? await second.asyncShutdown()
                throw error
            }
            try await second.asyncShutdown()
        }
    }

    @Test("a refused JWT: a sentence saying what to do, the integration marked as needing attention, jobs wait; a new credential brings it back")
    func refusedJWT() async throws {
        try await withRingCentral(connected: false, environmentJWT: true, sandboxSettings: { $0.issueRefreshTokens = false }) { app, sandbox in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            try await app.connectRingCentralWithJWT(browser)

            // Its owner revokes the credential; then the access token runs out.
            sandbox.ringCentral.revokeJWTCredential()
            try await app.ageRingCentralToken(by: 3700)
            sandbox.ringCentral.expireAccessTokens()
            try await app.services.jobQueue.enqueue(SyncRingCentralCallLogs.self, .init(), on: app.db,
                                                    uniqueKey: SyncRingCentralCallLogs.uniqueKey)
            try await app.runDueJobs()
            let held = try #require(try await QueuedJob.query(on: app.db).first())
            #expect(held.waitingFor == RingCentralService.waitKey)
            #expect(held.lastError?.contains("RingCentral refused the JWT credential") == true, "\(held.lastError ?? "")")
            #expect(sandbox.ringCentral.stats.invalidGrants == 1)

            let page = try await browser.get("/admin/integrations/ringcentral")
            #expect(page.text.contains("needs re-authorisation"))
            #expect(page.text.contains("RingCentral refused the JWT credential"))
            #expect(page.text.contains("create a new one in RingCentral&#39;s developer console and paste it in Admin &gt; RingCentral")
                    || page.text.contains("create a new one in RingCentral's developer console and paste it in Admin &gt; RingCentral"), "\(page.text)")

            // Nothing hammers RingCentral meanwhile.
            await #expect(throws: RingCentralError.self) { _ = try await app.services.ringCentral.client().account() }
            #expect(sandbox.ringCentral.stats.invalidGrants == 1)

            // Connect with JWT with the refused credential: the sentence, a 4xx, nothing changed.
            let refused = try await browser.post("/admin/integrations/ringcentral/connect-jwt", form: [:])
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("RingCentral refused the JWT credential"))

            // A new credential, pasted and connected: back to work, and the job resumes.
            _ = try await app.saveRingCentralJWT(sandbox.ringCentral.issueJWTCredential(), browser)
            try await app.connectRingCentralWithJWT(browser)
            #expect(try await browser.get("/admin/integrations/ringcentral").text.contains("needs re-authorisation") == false)
            #expect(try await QueuedJob.query(on: app.db).first()?.waitingFor == nil)
        }
    }
}
