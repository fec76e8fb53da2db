import Fluent
import Foundation
import ProviderSandbox
import RingCentralKit
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

@Suite("RingCentral connect")
struct RingCentralConnectTests {
    @Test("Connect → RingCentral's consent page → callback: tokens sealed, account shown, nothing in clear")
    func connectFlow() async throws {
        try await withRingCentral(connected: false) { app, sandbox in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin/integrations/ringcentral")
            #expect(page.text.contains("Connect RingCentral"))
            #expect(page.text.contains("/api/integrations/ringcentral/callback"))

            let start = try await browser.post("/admin/integrations/ringcentral/connect", form: [:])
            // A page that moves the browser on, not a redirect: the CSP's form-action 'self' would
            // block a redirect to RingCentral that follows a form post, and it stays that strict.
            #expect(start.status == .ok)
            #expect(start.headers.first(name: "Content-Security-Policy")?.contains("form-action 'self';") == true)
            #expect(start.text.contains(#"<meta http-equiv="refresh" content="0; url=\#(sandbox.ringCentralURL)/restapi/oauth/authorize?"#))
            let authorize = try #require(start.onward.flatMap(URLComponents.init(string:)))
            #expect(authorize.path == "/restapi/oauth/authorize")
            #expect(authorize.query("code_challenge_method") == "S256")
            #expect(authorize.query("client_id") == sandbox.ringCentral.clientID)
            #expect(browser.cookies[RingCentralAdminController.stateCookie] == authorize.query("state"))

            let back = try await ConsentPage.answer(start.onward!)
            #expect(back.path == "/api/integrations/ringcentral/callback")
            let finish = try await browser.get(back.pathAndQuery)
            #expect(finish.status == .seeOther)
            #expect(finish.location?.hasPrefix("/admin/integrations/ringcentral?notice=Connected") == true)

            let connected = try await browser.get("/admin/integrations/ringcentral")
            for expected in ["401234567890", "+16505550100", "101", "SmsSender", "CallerId", "ReadCallLog", "Disconnect"] {
                #expect(connected.text.contains(expected), "the page should show \(expected)")
            }

            // Sealed at rest, usable when opened.
            let row = try #require(try await RingCentralTokenRecord.query(on: app.db).first())
            #expect(row.sealedAccessToken?.hasPrefix("lb1.") == true)
            #expect(row.sealedRefreshToken?.hasPrefix("lb1.") == true)
            let tokens = try #require(try await app.storedRingCentralTokens())
            #expect(tokens.expiresAt > Date().addingTimeInterval(3000))
            #expect(try await RingCentralAccountRecord.query(on: app.db).first()?.primaryExtension?.phoneNumbers.count ?? 0 >= 4)

            // No token, code or secret in the audit trail or the database file.
            await app.services.ringCentral.pendingLogs.drain()
            let logs = try await IntegrationLog.query(on: app.db).filter(\.$provider == "ringcentral").all()
            #expect(logs.count >= 4)
            let auditText = try logs.map { log in
                String(decoding: try JSONEncoder().encode([log.payload?.text ?? "", log.response?.text ?? "", log.errorMessage ?? ""]),
                       as: UTF8.self)
            }.joined()
            let refreshToken = try #require(tokens.refreshToken)
            for secret in [tokens.accessToken, refreshToken, sandbox.ringCentral.clientSecret] {
                #expect(!auditText.contains(secret))
            }
            if !TestDatabase.isPostgres {
                let path = app.services.config.sqlitePath
                var bytes = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
                bytes.append((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
                #expect(bytes.count > 0)
                for secret in [tokens.accessToken, refreshToken] {
                    #expect(bytes.range(of: Data(secret.utf8)) == nil, "a token is in the database file in clear")
                }
            }
        }
    }

    @Test("a forged or replayed state, a missing state cookie, or an error from RingCentral stores nothing")
    func refusedCallbacks() async throws {
        try await withRingCentral(connected: false) { app, _ in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()

            // Forged state.
            var start = try await browser.post("/admin/integrations/ringcentral/connect", form: [:])
            var back = try await ConsentPage.answer(start.onward!)
            let code = try #require(back.query("code"))
            let forged = try await browser.get("/api/integrations/ringcentral/callback?code=\(code)&state=forged-state")
            #expect(forged.status == .badRequest)
            #expect(forged.text.contains("not one LeadBridge started"))

            // The real state cannot be used after a failed attempt either: it is used once.
            let replay = try await browser.get(back.pathAndQuery)
            #expect(replay.status == .badRequest)

            // Right state, but another browser (no state cookie).
            start = try await browser.post("/admin/integrations/ringcentral/connect", form: [:])
            back = try await ConsentPage.answer(start.onward!)
            let stranger = Browser(app)
            let withoutCookie = try await stranger.get(back.pathAndQuery)
            #expect(withoutCookie.status == .badRequest)

            // The admin pressed Cancel at RingCentral.
            start = try await browser.post("/admin/integrations/ringcentral/connect", form: [:])
            let denied = try await ConsentPage.answer(start.onward!, approve: false)
            #expect(denied.query("error") == "access_denied")
            let deniedPage = try await browser.get(denied.pathAndQuery)
            #expect(deniedPage.status == .badRequest)
            #expect(deniedPage.text.contains("did not grant access"))

            // No parameters at all.
            #expect(try await browser.get("/api/integrations/ringcentral/callback").status == .badRequest)

            #expect(try await RingCentralTokenRecord.query(on: app.db).count() == 0)
            #expect(try await RingCentralAccountRecord.query(on: app.db).count() == 0)
        }
    }

    @Test("Connect from another address than the redirect URI's is refused, naming both, before anything starts")
    func connectFromAnotherAddress() async throws {
        try await withRingCentral(connected: false) { app, _ in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let home = try #require(BrowserOrigin.of(app.services.config.ringCentral.redirectURI))
            let elsewhere = "http://127.0.0.1:8000"
            #expect(home != elsewhere)

            // Warned on the page, from the address the browser shows (a typed address: Host).
            browser.headers.replaceOrAdd(name: .host, value: "127.0.0.1:8000")
            let page = try await browser.get("/admin/integrations/ringcentral")
            #expect(page.text.contains("Connect will not work from this address"))
            #expect(page.text.contains(home + "/admin/integrations/ringcentral"))

            // Refused at Connect: the form post's Origin is the browser's own word.
            browser.headers.replaceOrAdd(name: .origin, value: elsewhere)
            let refused = try await browser.post("/admin/integrations/ringcentral/connect", form: [:])
            #expect(refused.status == .conflict)
            #expect(refused.text.contains(elsewhere))
            #expect(refused.text.contains(home))
            #expect(browser.cookies[RingCentralAdminController.stateCookie] == nil, "no connect was started")

            browser.headers.replaceOrAdd(name: .origin, value: home)
            browser.headers.replaceOrAdd(name: .host, value: String(home.dropFirst("http://".count)))
            #expect(try await browser.get("/admin/integrations/ringcentral").text.contains("Connect will not work") == false)
            let started = try await browser.post("/admin/integrations/ringcentral/connect", form: [:])
            #expect(started.status == .ok)
            #expect(started.onward != nil)
        }
    }

    @Test("Disconnect revokes the tokens at RingCentral and deletes them here")
    func disconnect() async throws {
        try await withRingCentral { app, sandbox in
            let browser = try await app.signedInBrowser()
            let response = try await browser.post("/admin/integrations/ringcentral/disconnect", form: [:])
            #expect(response.status == .seeOther)
            #expect(try await RingCentralTokenRecord.query(on: app.db).count() == 0)
            #expect(try await RingCentralAccountRecord.query(on: app.db).count() == 0)
            #expect(sandbox.ringCentral.stats.revoked >= 1)
            #expect(try await browser.get("/admin/integrations/ringcentral").text.contains("Connect RingCentral"))
        }
    }

    @Test("a refused refresh marks the integration for re-authorisation; jobs wait and resume after Reconnect")
    func invalidGrantNeedsReconnect() async throws {
        try await withRingCentral { app, sandbox in
            try await app.ageRingCentralToken()
            sandbox.ringCentral.revokeAllTokens()
            try await app.services.jobQueue.enqueue(SyncRingCentralCallLogs.self, .init(), on: app.db,
                                                    uniqueKey: SyncRingCentralCallLogs.uniqueKey)
            try await app.runDueJobs()
            let held = try #require(try await QueuedJob.query(on: app.db).first())
            #expect(held.waitingFor == RingCentralService.waitKey)
            #expect(sandbox.ringCentral.stats.invalidGrants == 1)

            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin/integrations/ringcentral")
            #expect(page.text.contains("needs re-authorisation"))
            #expect(page.text.contains("Reconnect RingCentral"))
            #expect(try await browser.get("/admin").text.contains("RingCentral needs re-authorisation"))

            // Nothing hammers RingCentral meanwhile: calls fail here without a request.
            await #expect(throws: RingCentralError.self) { _ = try await app.services.ringCentral.client().account() }
            #expect(sandbox.ringCentral.stats.invalidGrants == 1)

            try await app.connectRingCentral(sandbox)
            #expect(try await browser.get("/admin/integrations/ringcentral").text.contains("needs re-authorisation") == false)
            let resumed = try #require(try await QueuedJob.query(on: app.db).first())
            #expect(resumed.waitingFor == nil)
            #expect(try await app.runDueJobs() == 1)
            #expect(try await QueuedJob.query(on: app.db).count() == 0)
        }
    }

    @Test("RingCentral issues no refresh token: connected all the same, the admin is told when re-authorisation will be needed, nothing is refreshed, and at expiry jobs wait")
    func noRefreshTokenIssued() async throws {
        try await withRingCentral(sandboxSettings: { $0.issueRefreshTokens = false }) { app, sandbox in
            let row = try #require(try await RingCentralTokenRecord.query(on: app.db).first())
            #expect(row.sealedRefreshToken == nil)
            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin/integrations/ringcentral")
            #expect(page.text.contains("Re-authorisation will be needed at \(AdminDate.format(row.expiresAt))"), "\(page.text)")
            #expect(page.text.contains("issued no refresh token"))

            // Inside the refresh margin the token is used as it is.
            try await app.ageRingCentralToken()
            _ = try await app.services.ringCentral.client().account()
            #expect(sandbox.ringCentral.stats.tokenRequests["refresh_token"] == nil)

            // Expired: a job waits for the admin instead of failing, and nothing is sent to RingCentral's token endpoint.
            try await app.ageRingCentralToken(by: 200)
            sandbox.ringCentral.expireAccessTokens()
            try await app.services.jobQueue.enqueue(SyncRingCentralCallLogs.self, .init(), on: app.db,
                                                    uniqueKey: SyncRingCentralCallLogs.uniqueKey)
            try await app.runDueJobs()
            let held = try #require(try await QueuedJob.query(on: app.db).first())
            #expect(held.waitingFor == RingCentralService.waitKey)
            #expect(Array(sandbox.ringCentral.stats.tokenRequests.keys) == ["authorization_code"])
            let attention = try await browser.get("/admin/integrations/ringcentral")
            #expect(attention.text.contains("needs re-authorisation"))
            #expect(attention.text.contains("no refresh token"))
        }
    }

    @Test("two app instances on one database, 50 callers each, at expiry: exactly one refresh, no invalid_grant")
    func twoInstancesRefreshOnce() async throws {
        try await withRingCentral(sandboxSettings: { $0.limits["Light"] = 10_000 }) { app, sandbox in
            let second = try await Application.make(.testing)
            second.logger.logLevel = .warning
            do {
                try await configure(second, config: app.services.config)
                // The sandbox allows 10,000 Light calls a minute; both processes learn it, as from
                // an answer's X-Rate-Limit-Limit (they share one budget, so 100 calls would otherwise
                // wait out the documented 50 a minute).
                for instance in [app, second] {
                    await instance.services.ringCentral.limiter.observe(group: .light, limit: 10_000, window: 60, remaining: nil)
                }
                try await app.ageRingCentralToken()
                sandbox.ringCentral.resetStats()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<100 {
                        let instance = index.isMultiple(of: 2) ? app : second
                        group.addTask { _ = try await instance.services.ringCentral.client().extensionInfo() }
                    }
                    try await group.waitForAll()
                }
                #expect(sandbox.ringCentral.stats.tokenRequests["refresh_token"] == 1)
                #expect(sandbox.ringCentral.stats.invalidGrants == 0)
                await second.services.ringCentral.pendingLogs.drain()
            } catch {
                try? await second.asyncShutdown()
                throw error
            }
            try await second.asyncShutdown()
        }
    }

    @Test("the admin can enter the client id and secret instead of the environment; the secret is sealed and never shown")
    func credentialsFromAdmin() async throws {
        try await withRingCentral(connected: false, { $0.ringCentral.clientID = nil; $0.ringCentral.clientSecret = nil }) { app, sandbox in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            #expect(try await browser.post("/admin/integrations/ringcentral/connect", form: [:]).status == .conflict)
            let bad = try await browser.post("/admin/integrations/ringcentral", form: [
                "client_id": sandbox.ringCentral.clientID, "client_secret": sandbox.ringCentral.clientSecret,
                "server_url": "not a url", "redirect_uri": "http://localhost:8000/elsewhere", "call_log_sync_minutes": "15",
            ])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("server address"))
            #expect(try await IntegrationSetting.query(on: app.db).count() == 0)

            let saved = try await browser.post("/admin/integrations/ringcentral", form: [
                "client_id": sandbox.ringCentral.clientID, "client_secret": sandbox.ringCentral.clientSecret,
                "server_url": sandbox.ringCentralURL, "redirect_uri": app.services.config.ringCentral.redirectURI,
                "default_from_number": "+1 (650) 555-0199", "call_log_sync_minutes": "30",
            ])
            #expect(saved.status == .seeOther)
            let row = try #require(try await IntegrationSetting.query(on: app.db).filter(\.$provider == "ringcentral").first())
            #expect(row.credentials?["client_secret"]?.hasPrefix("lb1.") == true)
            let page = try await browser.get("/admin/integrations/ringcentral")
            #expect(!page.text.contains(sandbox.ringCentral.clientSecret))
            #expect(page.text.contains("+16505550199"))
            try await app.connectRingCentral(sandbox)
        }
    }
}
