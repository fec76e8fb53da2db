import Fluent
import Foundation
import SQLKit
import ProviderSandbox
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// Issue #31: Turnstile and hCaptcha per form, checked server-side against the sandbox's
/// stand-ins for their siteverify endpoints (the providers' published test keys).
@Suite("Captcha")
struct CaptchaTests {
    static let site = FormPostTests.site

    /// An app whose captcha providers are the sandbox, and a signed-in admin's browser.
    static func withCaptcha(_ adjust: @escaping (inout AppConfig) -> Void = { _ in },
                            _ test: (Application, SandboxServer, Browser) async throws -> Void) async throws {
        let sandbox = try await SandboxServer.start()
        do {
            try await withApp({ config in
                config.intake.captcha.turnstileURL = sandbox.captchaURL
                config.intake.captcha.hcaptchaScriptURL = sandbox.captchaURL
                config.intake.captcha.hcaptchaVerifyURL = sandbox.captchaURL
                config.intake.captcha.timeoutSeconds = 2
                adjust(&config)
            }) { app in
                try await app.createAdmin()
                try await test(app, sandbox, try await app.signedInBrowser())
            }
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    /// Admin > Forms: the form `quote` for the client's site, with this captcha.
    @discardableResult
    static func saveForm(_ browser: Browser, provider: String, siteKey: String, secret: String, id: Int? = nil) async throws -> TestingHTTPResponse {
        try await browser.post(id.map { "/admin/forms/\($0)" } ?? "/admin/forms", form: [
            "name": "Quote", "slug": "quote", "websites": site,
            "captcha_provider": provider, "captcha_site_key": siteKey, "captcha_secret": secret,
        ])
    }

    static func post(_ app: Application, token: String?, email: String = "ada@example.com") async throws -> TestingHTTPResponse {
        var pairs = [("first_name", "Ada"), ("email", email)]
        if let token { pairs.append(("cf-turnstile-response", token)) }
        return try await FormPostTests.post(app, "/f/quote", pairs)
    }

    static func only(_ app: Application) async throws -> Enquiry {
        try #require(try await Enquiry.query(on: app.db).sort(\.$id, .descending).first())
    }

    @Test("Turnstile's always-pass test keys: the enquiry is real, and siteverify got the secret and the token once")
    func turnstilePasses() async throws {
        try await Self.withCaptcha { app, sandbox, admin in
            #expect(try await Self.saveForm(admin, provider: "turnstile", siteKey: CaptchaSandbox.turnstilePassSiteKey,
                                            secret: CaptchaSandbox.turnstilePassSecret).status == .seeOther)
            let response = try await Self.post(app, token: CaptchaSandbox.turnstileDummyToken)
            #expect(response.status == .seeOther)
            let enquiry = try await Self.only(app)
            #expect(enquiry.status == .pending)
            #expect(enquiry.spamReason == nil)
            #expect(sandbox.captcha.checks == [.init(provider: "turnstile", secret: CaptchaSandbox.turnstilePassSecret,
                                                     response: CaptchaSandbox.turnstileDummyToken, remoteIP: nil)])
        }
    }

    /// A headless site's pages show the widget and its server posts the token: the sites allowed
    /// to post JSON count as where the widget may be solved, beside the form's websites and
    /// LeadBridge's own host.
    @Test func theWidgetMayBeSolvedOnTheFormsWebsitesLeadBridgeAndTheJSONSites() throws {
        let config = try AppConfig.load(from: ["APP_KEY": testAppKey, "APP_URL": "https://leads.example.com",
                                               "CORS_ALLOWED_ORIGINS": "https://headless.example"])
        let form = WebForm(slug: "quote", name: "Quote")
        form.origins = ["https://www.acme.example"]
        #expect(IntakePipeline.captchaHosts(form, config: config) == ["leads.example.com", "www.acme.example", "headless.example"])
    }

    @Test("a real account's token solved on one of the form's websites passes; one solved on another site lands in Spam, saying where")
    func tokenFromAnotherSite() async throws {
        try await Self.withCaptcha { app, sandbox, admin in
            let account = CaptchaSandbox.Account(provider: "turnstile", siteKey: "0x4AAAAAAAsharedKey", secret: "0x4AAAAAAAsharedSecret")
            sandbox.captcha.addAccount(account)
            #expect(try await Self.saveForm(admin, provider: "turnstile", siteKey: account.siteKey, secret: account.secret).status == .seeOther)
            // Tokens as the widget mints them on each page (see CaptchaSandbox): the client's site, then
            // another site that shares the same site key.
            _ = try await Self.post(app, token: "sandbox.\(account.siteKey).www.client-site.example~a1", email: "real@example.com")
            #expect(try await Self.only(app).status == .pending)
            _ = try await Self.post(app, token: "sandbox.\(account.siteKey).other-agency.example~b2", email: "elsewhere@example.com")
            let kept = try await Self.only(app)
            #expect(kept.status == .spam)
            #expect(kept.spamReason == "The captcha (Cloudflare Turnstile) was solved on other-agency.example, which is not one of this form's websites.")
            // LeadBridge's own host (the hosted form and the contact page) is one of them too.
            let ownHost = try #require(URL(string: app.services.config.appURL)?.host)
            _ = try await Self.post(app, token: "sandbox.\(account.siteKey).\(ownHost)~c3", email: "hosted@example.com")
            #expect(try await Self.only(app).status == .pending)
        }
    }

    @Test("a failed, spent, missing or replayed token keeps the enquiry in Spam with the provider's reason")
    func failuresLandInSpam() async throws {
        try await Self.withCaptcha { app, sandbox, admin in
            try await Self.saveForm(admin, provider: "turnstile", siteKey: CaptchaSandbox.turnstileFailSiteKey,
                                    secret: CaptchaSandbox.turnstileFailSecret)
            _ = try await Self.post(app, token: "a-token-from-a-bot", email: "one@example.com")
            #expect(try await Self.only(app).status == .spam)
            #expect(try await Self.only(app).spamReason == "The captcha (Cloudflare Turnstile) failed: invalid-input-response.")

            let form = try #require(try await WebForm.find(slug: "quote", on: app.db))
            try await Self.saveForm(admin, provider: "turnstile", siteKey: CaptchaSandbox.turnstilePassSiteKey,
                                    secret: CaptchaSandbox.turnstileSpentSecret, id: form.id)
            _ = try await Self.post(app, token: CaptchaSandbox.turnstileDummyToken, email: "two@example.com")
            #expect(try await Self.only(app).spamReason == "The captcha (Cloudflare Turnstile) failed: timeout-or-duplicate.")

            let missing = try await Self.post(app, token: nil, email: "three@example.com")
            #expect(missing.status == .seeOther, "a bot learns nothing from the answer")
            #expect(try await Self.only(app).spamReason == "No captcha answer came with it (Cloudflare Turnstile is on for this form).")

            // Cloudflare: a test secret with a token that is not the dummy one is invalid-input-secret,
            // which is our side's mistake, not the visitor's: kept as "captcha not checked".
            try await Self.saveForm(admin, provider: "turnstile", siteKey: CaptchaSandbox.turnstilePassSiteKey,
                                    secret: CaptchaSandbox.turnstilePassSecret, id: form.id)
            _ = try await Self.post(app, token: "a-token-from-a-real-widget", email: "test-secret@example.com")
            #expect(try await Self.only(app).spamReason?.hasPrefix("Captcha not checked: Cloudflare Turnstile refused the form's keys (invalid-input-secret)") == true)

            // A replay, with a real account's tokens (any number of them, unlike the one dummy token).
            let account = CaptchaSandbox.Account(provider: "turnstile", siteKey: "0x4AAAAAAAreplayKey", secret: "0x4AAAAAAAreplaySecret")
            sandbox.captcha.addAccount(account)
            try await Self.saveForm(admin, provider: "turnstile", siteKey: account.siteKey, secret: account.secret, id: form.id)
            let token = "sandbox.\(account.siteKey).www.client-site.example~once"
            let checksBefore = sandbox.captcha.checks.count
            _ = try await Self.post(app, token: token, email: "four@example.com")
            #expect(try await Self.only(app).status == .pending)
            _ = try await Self.post(app, token: token, email: "five@example.com")
            #expect(try await Self.only(app).spamReason == "The captcha (Cloudflare Turnstile) failed: timeout-or-duplicate.")
            #expect(sandbox.captcha.checks.count == checksBefore + 1, "a replayed token is refused before the provider is asked")
            #expect(try await Enquiry.query(on: app.db).count() == 6, "every one is kept")
        }
    }

    @Test("when siteverify cannot answer, the enquiry is kept as 'captcha not checked': no sync, no text, until Not spam")
    func outageKeepsTheEnquiryUnchecked() async throws {
        let sandbox = try await SandboxServer.start()
        defer { Task { await sandbox.stop() } }
        try await withSuiteDash({ config in
            config.intake.captcha.turnstileURL = sandbox.captchaURL
            config.intake.captcha.timeoutSeconds = 1
        }) { app, suiteDash in
            try await app.createAdmin()
            let admin = try await app.signedInBrowser()
            try await Self.saveForm(admin, provider: "turnstile", siteKey: CaptchaSandbox.turnstilePassSiteKey,
                                    secret: CaptchaSandbox.turnstilePassSecret)
            var switches = SandboxSwitches()
            switches.outage = true
            sandbox.captcha.switches = switches
            #expect(try await Self.post(app, token: CaptchaSandbox.turnstileDummyToken).status == .seeOther)
            let kept = try await Self.only(app)
            #expect(kept.status == .spam)
            #expect(kept.spamReason?.hasPrefix("Captcha not checked: Cloudflare Turnstile could not be reached (it answered 503)") == true)
            #expect(try await QueuedJob.query(on: app.db).filter(\.$kind == SyncEnquiryToSuiteDash.name).count() == 0)

            switches.outage = false
            switches.latencyMilliseconds = 1500
            sandbox.captcha.switches = switches
            _ = try await Self.post(app, token: "slow-token", email: "slow@example.com")
            #expect(try await Self.only(app).spamReason?.hasPrefix("Captcha not checked: Cloudflare Turnstile could not be reached") == true)

            let released = try await admin.post("/admin/submissions/\(kept.id!)/not-spam", form: [:])
            #expect(released.status == .seeOther)
            #expect(try await Enquiry.find(kept.id, on: app.db)?.status == .pending)
            #expect(try await QueuedJob.query(on: app.db).filter(\.$kind == SyncEnquiryToSuiteDash.name).count() == 1)
            _ = suiteDash
        }
    }

    @Test("hCaptcha's test pair passes through the JSON API's captcha_token; another token fails")
    func hcaptchaThroughTheAPI() async throws {
        try await Self.withCaptcha { app, _, admin in
            try await Self.saveForm(admin, provider: "hcaptcha", siteKey: CaptchaSandbox.hcaptchaTestSiteKey,
                                    secret: CaptchaSandbox.hcaptchaTestSecret)
            func send(_ token: String, _ email: String) async throws -> TestingHTTPResponse {
                let body = try JSONSerialization.data(withJSONObject: [
                    "first_name": "Ada", "email": email, "consent": true, "captcha_token": token,
                ])
                return try await app.testing().sendRequest(.POST, "/api/contact?form=quote", headers: ["Content-Type": "application/json"],
                                                          body: ByteBuffer(data: body))
            }
            #expect(try await send(CaptchaSandbox.hcaptchaTestToken, "ada@example.com").status == .created)
            #expect(try await Self.only(app).status == .pending)
            #expect(try await send("20000000-aaaa-bbbb-cccc-000000000002", "bot@example.com").status == .created)
            #expect(try await Self.only(app).spamReason == "The captcha (hCaptcha) failed: invalid-input-response.")
            #expect(try await Self.only(app).extraFields.isEmpty, "the token is not kept as an extra field")
        }
    }

    @Test("the secret is sealed, never shown again, kept when the form is saved without it; a provider needs both keys")
    func secretIsSealed() async throws {
        try await Self.withCaptcha { app, _, admin in
            let refused = try await Self.saveForm(admin, provider: "turnstile", siteKey: CaptchaSandbox.turnstilePassSiteKey, secret: "")
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("secret key too: LeadBridge checks each answer with it"))
            #expect(try await WebForm.find(slug: "quote", on: app.db) == nil, "nothing half-saved")
            // A secret typed on a page sent back for another field is not "saved".
            let badKey = try await Self.saveForm(admin, provider: "turnstile", siteKey: "no", secret: "0x4AAAAAAAC3DHQFLr1GavRN-Example")
            #expect(badKey.status == .unprocessableEntity)
            #expect(!badKey.body.string.contains("Saved; type a new one to replace it"))
            // A form cannot switch the acknowledgement on before Admin > Email has its words and footer.
            let ack = try await admin.post("/admin/forms", form: ["name": "Quote", "slug": "quote", "websites": Self.site, "acknowledgement": "on"])
            #expect(ack.status == .unprocessableEntity)
            #expect(ack.body.string.contains("Set up the acknowledgement in Admin &gt; Email first"))

            // A real account's secret looks like this (Cloudflare's dashboard); the page shows the test keys as a hint.
            let secret = "0x4AAAAAAAC3DHQFLr1GavRN-Example"
            try await Self.saveForm(admin, provider: "turnstile", siteKey: CaptchaSandbox.turnstilePassSiteKey,
                                    secret: secret)
            let form = try #require(try await WebForm.find(slug: "quote", on: app.db))
            let sealed = try #require(form.sealedCaptchaSecret)
            #expect(sealed.hasPrefix("lb1."))
            #expect(!sealed.contains(secret))
            #expect(try app.services.secrets.open(sealed, context: WebForm.captchaSecretContext) == secret)
            let page = try await admin.get("/admin/forms/\(form.id!)")
            #expect(!page.body.string.contains(secret))
            #expect(page.body.string.contains("Saved; type a new one to replace it"))

            // Saved again without typing the secret: it stays. Switched off: it goes.
            try await Self.saveForm(admin, provider: "turnstile", siteKey: CaptchaSandbox.turnstilePassSiteKey, secret: "", id: form.id)
            #expect(try await WebForm.find(form.id, on: app.db)?.sealedCaptchaSecret == sealed)
            try await Self.saveForm(admin, provider: "", siteKey: "", secret: "", id: form.id)
            let off = try #require(try await WebForm.find(form.id, on: app.db))
            #expect(off.sealedCaptchaSecret == nil && off.captchaProviderName == nil && off.captchaSiteKey == nil)
        }
    }

    @Test("in production a captcha address other than the provider's must be https")
    func captchaAddressesAreHTTPS() throws {
        let plain = try AppConfig.load(from: ["TURNSTILE_URL": "http://captcha.example.com"])
        #expect(throws: ConfigurationError.self) { try ProviderHost.checkEnvironment(plain, .production) }
        let secure = try AppConfig.load(from: ["TURNSTILE_URL": "https://captcha-proxy.example.com"])
        try ProviderHost.checkEnvironment(secure, .production)
        try ProviderHost.checkEnvironment(try AppConfig.load(from: [:]), .production)
    }

    @Test("the page's CSP lets the provider in only on a form that shows its widget")
    func contentSecurityPolicyWidensOnlyForTheWidget() async throws {
        try await Self.withCaptcha { app, sandbox, admin in
            try await Self.saveForm(admin, provider: "turnstile", siteKey: CaptchaSandbox.turnstilePassSiteKey,
                                    secret: CaptchaSandbox.turnstilePassSecret)
            let hosted = try await app.testing().sendRequest(.GET, "/f/quote")
            let policy = hosted.headers.first(name: "Content-Security-Policy") ?? ""
            #expect(policy.contains("script-src 'self' \(sandbox.captchaURL)"))
            #expect(policy.contains("frame-src 'self' \(sandbox.captchaURL)"))
            #expect(policy.contains("frame-ancestors 'self' \(Self.site)"))
            #expect(hosted.body.string.contains("class=\"cf-turnstile captcha\" data-sitekey=\"\(CaptchaSandbox.turnstilePassSiteKey)\""))
            #expect(hosted.body.string.contains("src=\"\(sandbox.captchaURL)/turnstile/v0/api.js\""))

            let stamp = try await app.testing().sendRequest(.GET, "/f/quote/stamp", headers: ["Origin": Self.site, "Accept": "application/json"])
            let widget = try stamp.content.decode(HostedFormController.Stamp.self).captcha
            #expect(widget?.siteKey == CaptchaSandbox.turnstilePassSiteKey && widget?.widgetClass == "cf-turnstile")

            for path in ["/contact", "/admin", "/f/contact"] {
                let other = try await admin.get(path)
                #expect(!(other.headers.first(name: "Content-Security-Policy") ?? "").contains(sandbox.captchaURL), "\(path)")
            }
            let contact = try #require(try await WebForm.find(slug: "contact", on: app.db))
            try await admin.post("/admin/forms/\(contact.id!)", form: [
                "name": "Contact page", "captcha_provider": "hcaptcha", "captcha_site_key": CaptchaSandbox.hcaptchaTestSiteKey,
                "captcha_secret": CaptchaSandbox.hcaptchaTestSecret,
            ])
            let page = try await app.testing().sendRequest(.GET, "/contact")
            #expect((page.headers.first(name: "Content-Security-Policy") ?? "").contains("connect-src 'self' \(sandbox.captchaURL)"))
            #expect(page.body.string.contains("class=\"h-captcha captcha\""))
        }
    }

    @Test("SUITEDASH_SYNCS_PER_ADDRESS_PER_DAY: one address's sixth enquiry of the day waits for Sync now, saying why; spam, this machine and listed servers do not count")
    func perAddressSyncAllowance() async throws {
        try await withSuiteDash({ config in
            config.suiteDash.syncsPerAddressPerDay = 2
            config.suiteDash.syncsUnlimitedFrom = [CIDR("198.51.100.0/24")!]
            config.trustProxyHeaders = true
        }) { app, _ in
            func send(_ ip: String, _ email: String, message: String = "Hello") async throws {
                let body = try JSONSerialization.data(withJSONObject: ["first_name": "Ada", "email": email, "consent": true, "message": message])
                let response = try await app.testing().sendRequest(.POST, "/api/contact", headers: [
                    "Content-Type": "application/json", "X-Forwarded-For": ip,
                ], body: ByteBuffer(data: body))
                #expect(response.status == .created)
            }
            try await app.createAdmin()
            let admin = try await app.signedInBrowser()
            _ = try await admin.post("/admin/spam/rules", form: ["kind": "phrase", "value": "casino"])
            try await send("203.0.113.9", "spam@example.com", message: "Best casino")
            for index in 1...4 { try await send("203.0.113.9", "lead\(index)@example.com") }
            for index in 1...3 { try await send("198.51.100.20", "wordpress\(index)@example.com") }
            try await send("192.0.2.1", "other@example.com")
            let syncs = try await QueuedJob.query(on: app.db).filter(\.$kind == SyncEnquiryToSuiteDash.name).count()
            #expect(syncs == 2 + 3 + 1, "two from the busy address, every one from the listed server, one from another")
            let held = try await Enquiry.query(on: app.db).filter(\.$syncError != nil).sort(\.$id).all()
            #expect(held.map(\.email) == ["lead3@example.com", "lead4@example.com"])
            #expect(held.first?.syncError == "Not synced automatically: this is enquiry 3 from 203.0.113.9 in 24 hours, past the 2 a day that SUITEDASH_SYNCS_PER_ADDRESS_PER_DAY allows one address. If it is real, press Sync now.")
            let page = try await admin.get("/admin/submissions/\(held[0].id!)")
            #expect(page.body.string.contains("past the 2 a day"))
            #expect(try await admin.post("/admin/submissions/\(held[0].id!)/sync", form: [:]).status == .seeOther)
            #expect(try await QueuedJob.query(on: app.db).filter(\.$kind == SyncEnquiryToSuiteDash.name).count() == syncs + 1, "Sync now is not limited")
            // A person's "Not spam" is not held either, though the address is past its allowance.
            let spam = try #require(try await Enquiry.query(on: app.db).filter(\.$status == .spam).first())
            #expect(try await admin.post("/admin/submissions/\(spam.id!)/not-spam", form: [:]).status == .seeOther)
            #expect(try await Enquiry.find(spam.id, on: app.db)?.syncError == nil)
            #expect(try await QueuedJob.query(on: app.db).filter(\.$kind == SyncEnquiryToSuiteDash.name).count() == syncs + 2)

            // IPv6: a new address in the same /64 each time is still one sender.
            for index in 1...3 { try await send("2001:db8:5:6::\(index)", "six\(index)@example.com") }
            try await send("2001:db8:5:7::1", "next-door@example.com")
            let heldSix = try await Enquiry.query(on: app.db).filter(\.$email ~~ ["six3@example.com", "next-door@example.com"])
                .filter(\.$syncError != nil).all()
            #expect(heldSix.map(\.email) == ["six3@example.com"])
            #expect(heldSix.first?.syncError?.contains("enquiry 3 from 2001:db8:5:6::/64") == true)
            #expect(heldSix.first?.syncError?.contains("allows one IPv6 network (a /64)") == true)
        }
    }

    @Test("the allowance's count reads the (ip_network, created_at) index, not the table",
          .enabled(if: !TestDatabase.isPostgres,
                   "SQLite's plan: PostgreSQL chooses by its statistics, which a test's few rows do not settle"))
    func allowanceUsesItsIndex() async throws {
        try await withApp { app in
            let sql = try app.db.sql()
            // The query the allowance itself runs, not a copy of it.
            let query = AddressSyncAllowance.earlierEnquiries(of: ["203.0.113.9", "2001:db8:5:6::/64"], excluding: [1, 2],
                                                              since: Date().addingTimeInterval(-86_400), on: sql).query
            let plan = try await sql.raw("EXPLAIN QUERY PLAN \(query)")
                .all().map { try $0.decode(column: "detail", as: String.self) }.joined(separator: " | ")
            #expect(plan.contains("contact_submissions_ip_network_created_index"), "\(plan)")
        }
    }

    @Test("a sender is an IPv4 address, or an IPv6 /64 written one way whatever way the address was")
    func senderNetworks() {
        #expect(ClientAddress.senderNetwork("unknown") == nil)
        #expect(ClientAddress.senderNetwork("203.0.113.9") == "203.0.113.9")
        #expect(ClientAddress.senderNetwork("::ffff:203.0.113.9") == "203.0.113.9")
        #expect(ClientAddress.senderNetwork("2001:db8:5:6::1") == "2001:db8:5:6::/64")
        #expect(ClientAddress.senderNetwork("2001:0db8:0005:0006:ffff:1:2:3") == "2001:db8:5:6::/64")
        #expect(ClientAddress.senderNetwork("2001:db8::1") == "2001:db8:0:0::/64")
    }
}
