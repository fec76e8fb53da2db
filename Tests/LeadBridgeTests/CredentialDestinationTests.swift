import Fluent
import Foundation
import ProviderSandbox
import RingCentralKit
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// Stored keys and tokens go only where the admin confirmed: a changed address needs the
/// secret typed again (SuiteDash) or ends the connection (RingCentral), and no provider call
/// follows a redirect elsewhere with them.
@Suite("Credentials stay where they belong")
struct CredentialDestinationTests {
    @Test("a new SuiteDash address needs the Secret Key typed again, and plain http only to this machine")
    func suiteDashAddressChanges() async throws {
        try await withSuiteDash { app, sandbox in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            #expect(try await browser.post("/admin/integrations/suitedash", form: SuiteDashAdminTests.form(sandbox)).status == .seeOther)

            var moved = SuiteDashAdminTests.form(sandbox)
            moved["api_url"] = "https://collector.example.net/secure-api"
            moved["secret_key"] = ""
            moved["public_id"] = ""
            let refused = try await browser.post("/admin/integrations/suitedash", form: moved)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("Enter the Secret Key again to use it with a different API address."))
            #expect(refused.text.contains("value=\"https://collector.example.net/secure-api\""), "what was typed is shown again")
            #expect(try await app.services.suiteDash.settings.load().apiURL == sandbox.suiteDashURL, "nothing saved")

            moved["api_url"] = "http://collector.example.net/secure-api"
            moved["secret_key"] = sandbox.suiteDash.secretKey
            let plain = try await browser.post("/admin/integrations/suitedash", form: moved)
            #expect(plain.status == .unprocessableEntity && plain.text.contains("over https"))
        }
    }

    @Test("a new RingCentral server ends the connection to the old one: its tokens are revoked there and deleted here")
    func ringCentralServerChanges() async throws {
        try await withRingCentral { app, sandbox in
            let browser = try await app.signedInBrowser()
            #expect(try await RingCentralTokenRecord.query(on: app.db).count() == 1)
            let other = try await SandboxServer.start()
            defer { Task { await other.stop() } }
            let saved = try await browser.post("/admin/integrations/ringcentral", form: [
                "client_secret": sandbox.ringCentral.clientSecret, "server_url": other.ringCentralURL,
                "redirect_uri": app.services.config.ringCentral.redirectURI, "call_log_sync_minutes": "15",
            ])
            #expect(saved.location?.contains("connection%20to%20the%20old%20one%20was%20removed") == true)
            #expect(try await RingCentralTokenRecord.query(on: app.db).count() == 0)
            #expect(sandbox.ringCentral.stats.revoked >= 1, "revoked at the server that issued them")
            #expect(other.ringCentral.stats.totalCalls == 0, "nothing went to the new server")
            await other.stop()
        }
    }

    @Test("a new RingCentral server drops the saved JWT credential, and RINGCENTRAL_JWT counts only on the environment's server")
    func ringCentralServerChangesForgetTheJWT() async throws {
        try await withRingCentral(connected: false, environmentJWT: true) { app, sandbox in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let environmentJWT = try #require(app.services.config.ringCentral.jwt)
            let pasted = sandbox.ringCentral.issueJWTCredential()
            _ = try await app.saveRingCentralJWT(pasted, browser)
            #expect(try await app.services.ringCentral.settings.load().jwt == pasted)

            let other = try await SandboxServer.start()
            func save(server: String) async throws {
                let saved = try await browser.post("/admin/integrations/ringcentral", form: [
                    "client_secret": sandbox.ringCentral.clientSecret, "server_url": server,
                    "redirect_uri": app.services.config.ringCentral.redirectURI, "call_log_sync_minutes": "15",
                ])
                #expect(saved.status == .seeOther, "\(saved.text)")
            }
            try await save(server: other.ringCentralURL)
            var settings = try await app.services.ringCentral.settings.load()
            #expect(settings.serverURL == other.ringCentralURL)
            #expect(settings.jwt == nil, "neither the saved JWT nor RINGCENTRAL_JWT goes to another server")
            let row = try #require(try await IntegrationSetting.query(on: app.db).filter(\.$provider == "ringcentral").first())
            #expect(row.credentials?["jwt"] == nil, "the saved credential is deleted, not just hidden")
            #expect(try await browser.post("/admin/integrations/ringcentral/connect-jwt", form: [:]).status == .conflict)
            #expect(other.ringCentral.stats.totalCalls == 0)

            try await save(server: sandbox.ringCentralURL)
            settings = try await app.services.ringCentral.settings.load()
            #expect(settings.jwt == environmentJWT, "back on the environment's server, RINGCENTRAL_JWT applies again")
            #expect(!settings.jwtFromAdmin)
            await other.stop()
        }
    }

    @Test("the tokens go in the same transaction as the server change: at no moment does the new server sit beside the old tokens")
    func ringCentralServerChangeIsOneStep() async throws {
        try await withRingCentral { app, sandbox in
            let browser = try await app.signedInBrowser()
            let other = try await SandboxServer.start()
            // A slow revoke at the old server: before, the new address was saved, then the old
            // server was asked to revoke, then the tokens deleted, so the window was this long.
            sandbox.ringCentral.switches.latencyMilliseconds = 1500
            let saving = Task {
                try await browser.post("/admin/integrations/ringcentral", form: [
                    "client_secret": sandbox.ringCentral.clientSecret, "server_url": other.ringCentralURL,
                    "redirect_uri": app.services.config.ringCentral.redirectURI, "call_log_sync_minutes": "15",
                ])
            }
            var sawBoth = false
            let deadline = Date().addingTimeInterval(15)
            while Date() < deadline {
                let server = try await IntegrationSetting.query(on: app.db).filter(\.$provider == "ringcentral").first()?.settings?["server_url"]
                let tokens = try await RingCentralTokenRecord.query(on: app.db).count()
                if server == other.ringCentralURL {
                    sawBoth = tokens > 0
                    break
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            let saved = try await saving.value
            #expect(!sawBoth, "the new server was saved while the old server's tokens were still stored")
            #expect(saved.location?.contains("connection%20to%20the%20old%20one%20was%20removed") == true)
            #expect(try await RingCentralTokenRecord.query(on: app.db).count() == 0)
            #expect(sandbox.ringCentral.stats.revoked >= 1, "revoked at the old server, from the tokens read before the change")
            #expect(other.ringCentral.stats.totalCalls == 0)
            await other.stop()
        }
    }

    @Test("leadbridge demo fixes the providers' addresses: one typed into its admin, or saved by any other way, is never used")
    func demoAddressesCannotBeChanged() async throws {
        let elsewhere = try await SandboxServer.start()
        try await withSuiteDash({ $0.suiteDash.apiURLIsFixed = true }) { app, sandbox in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            #expect(try await browser.get("/admin/integrations/suitedash").text.contains("readonly"))
            var moved = SuiteDashAdminTests.form(sandbox)
            moved["api_url"] = elsewhere.suiteDashURL
            #expect(try await browser.post("/admin/integrations/suitedash", form: moved).status == .seeOther)
            #expect(try await app.services.suiteDash.settings.load().apiURL == sandbox.suiteDashURL)
            // Saved past the form (an older release, a hand edit): still not used.
            let row = try #require(try await IntegrationSetting.query(on: app.db).filter(\.$provider == "suitedash").first())
            row.settings?["api_url"] = elsewhere.suiteDashURL
            try await row.save(on: app.db)
            #expect(try await app.services.suiteDash.settings.load().apiURL == sandbox.suiteDashURL)
            try await app.submitEnquiry()
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 1)
            #expect(elsewhere.suiteDash.totalCalls == 0)
        }
        try await withRingCentral({ $0.ringCentral.serverURLIsFixed = true }) { app, sandbox in
            let browser = try await app.signedInBrowser()
            let saved = try await browser.post("/admin/integrations/ringcentral", form: [
                "client_secret": sandbox.ringCentral.clientSecret, "server_url": elsewhere.ringCentralURL,
                "redirect_uri": app.services.config.ringCentral.redirectURI, "call_log_sync_minutes": "15",
            ])
            #expect(saved.status == .seeOther)
            #expect(saved.location?.contains("server%20changed") == false, "nothing changed, so the connection stays")
            #expect(try await RingCentralTokenRecord.query(on: app.db).count() == 1)
            try await app.services.ringCentral.settings.setValue(elsewhere.ringCentralURL, for: "server_url")
            #expect(try await app.services.ringCentral.settings.load().serverURL == sandbox.ringCentralURL)
            let before = sandbox.ringCentral.stats.totalCalls
            _ = try await app.services.ringCentral.connection.refreshSnapshot()
            #expect(sandbox.ringCentral.stats.totalCalls > before)
            #expect(elsewhere.ringCentral.stats.totalCalls == 0)
        }
        await elsewhere.stop()
    }

    @Test("a SuiteDash answer that redirects elsewhere is not followed: the keys never reach the other host")
    func suiteDashRedirectsAreNotFollowed() async throws {
        try await withSuiteDash { app, sandbox in
            let elsewhere = try await SandboxServer.start()
            sandbox.suiteDash.switches.redirectTo = elsewhere.baseURL
            let id = try await app.submitEnquiry()
            try await app.runDueJobs()
            #expect(elsewhere.suiteDash.totalCalls == 0, "the redirect target saw nothing, so no key")
            let job = try #require(try await QueuedJob.query(on: app.db).first())
            #expect(job.lastError?.contains("redirect") == true)
            #expect(try await Enquiry.find(id, on: app.db)?.status == .pending)
            await elsewhere.stop()
        }
    }

    @Test("a RingCentral token request that redirects elsewhere is not followed: the refresh token never reaches the other host")
    func ringCentralRedirectsAreNotFollowed() async throws {
        try await withRingCentral { app, sandbox in
            let elsewhere = try await SandboxServer.start()
            // The stored access token is due for a refresh, so the next call starts with a token request.
            try await RingCentralTokenRecord.query(on: app.db).set(\.$expiresAt, to: Date().addingTimeInterval(-60)).update()
            sandbox.ringCentral.switches.redirectTo = elsewhere.baseURL
            await app.services.ringCentral.forgetCachedTokens()
            do {
                _ = try await app.services.ringCentral.client().account()
                Issue.record("a redirect was followed")
            } catch let error as RingCentralError {
                #expect(error.description.contains("redirect"), "\(error)")
            }
            #expect(elsewhere.ringCentral.stats.totalCalls == 0, "the redirect target saw nothing: no token, no secret")
            await elsewhere.stop()
        }
    }
}
