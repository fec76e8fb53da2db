import Fluent
import Foundation
import ProviderSandbox
import SQLKit
import Testing
import Vapor
@testable import LeadBridge

/// `leadbridge doctor` against the sandbox: all ✓ on a healthy install, and each failure,
/// switched on in the sandbox or the settings, turns its own line ✗ with a sentence.
@Suite("leadbridge doctor")
struct DoctorTests {
    /// RingCentral served with a subscription, SuiteDash in API mode with a budget, on one sandbox server.
    func withHealthyInstall(_ adjust: @escaping (inout AppConfig) -> Void = { _ in },
                            sandboxSettings: @escaping (inout RingCentralSandboxSettings) -> Void = { _ in },
                            _ test: (Application, SandboxServer) async throws -> Void) async throws {
        try await withServedRingCentral({ config in adjust(&config) }, sandboxSettings: sandboxSettings) { app, sandbox, _ in
            try await app.services.ringCentral.subscriptions.createOrRenew()
            try await test(app, sandbox)
        }
    }

    static func line(_ checks: [DoctorCheck], _ area: String, _ name: String) -> DoctorCheck? {
        checks.first { $0.area == area && $0.name == name }
    }

    @Test("a healthy install: no ✗, and only reads reach the providers")
    func healthy() async throws {
        try await withHealthyInstall({ $0.ringCentral.redirectURI = $0.appURL + "/api/integrations/ringcentral/callback" }) { app, sandbox in
            try await withSuiteDashOn(app, sandbox) {
                let before = sandbox.ringCentral.stats.callsByEndpoint
                let checks = await Doctor(application: app).run()
                print(checks.table)
                #expect(checks.failures == 0, "\(checks.filter { $0.verdict == .fail })")
                for name in ["database writable", "migrations current", "APP_KEY opens the secrets", "callback and webhook URLs"] {
                    #expect(Self.line(checks, "LeadBridge", name)?.verdict == .pass, "\(name)")
                }
                for name in ["keys", "custom fields", "monthly budget"] { #expect(Self.line(checks, "SuiteDash", name)?.verdict == .pass, "\(name)") }
                for name in ["access token", "renewal", "app permissions", "number that texts", "webhook subscription", "rate-limit headers", "clock"] {
                    #expect(Self.line(checks, "RingCentral", name)?.verdict == .pass, "\(name)")
                }
                // Reads only: the probe, the numbers, the subscription.
                let after = sandbox.ringCentral.stats.callsByEndpoint
                let called = Set(after.keys.filter { after[$0] != before[$0] })
                #expect(called == ["GET /restapi/v1.0/account/~/extension/~", "GET /restapi/v1.0/account/~/extension/~/phone-number",
                                   "GET /restapi/v1.0/subscription/{id}"])
                let suiteDashCalls = sandbox.suiteDash.callsByEndpoint.keys
                #expect(suiteDashCalls.contains { $0.hasSuffix("/contact/meta") } && suiteDashCalls.allSatisfy { $0.hasPrefix("GET ") }, "\(suiteDashCalls)")
            }
        }
    }

    @Test("enquiries that came with forwarding headers LeadBridge did not trust: doctor names the proxy and the setting; trusted, nothing is recorded")
    func untrustedProxy() async throws {
        func post(_ app: Application, _ email: String) async throws {
            let body = try JSONSerialization.data(withJSONObject: ["first_name": "Ada", "email": email, "consent": true])
            let response = try await app.testing(method: .running(hostname: "127.0.0.1", port: 0)).sendRequest(.POST, "/api/contact", headers: [
                "Content-Type": "application/json", "X-Forwarded-For": "198.51.100.7",
            ], body: ByteBuffer(data: body))
            #expect(response.status == .created)
        }
        try await withApp { app in
            #expect(Self.line(await Doctor(application: app).run(), "LeadBridge", Doctor.proxyCheck)?.verdict == .pass)
            try await post(app, "one@example.com")
            try await post(app, "two@example.com")
            let enquiry = try #require(try await Enquiry.query(on: app.db).first())
            #expect(enquiry.ip == "127.0.0.1", "the header is not believed")
            let line = try #require(Self.line(await Doctor(application: app).run(), "LeadBridge", Doctor.proxyCheck))
            #expect(line.verdict == .unknown)
            #expect(line.sentence.hasPrefix("2 enquiries of 2 in the last 7 days came from 127.0.0.1"))
            #expect(line.sentence.contains("set TRUSTED_PROXIES=127.0.0.1 (or its provider's ranges)"))
        }
        // As AppConfig.load sets them from TRUSTED_PROXIES=127.0.0.1 (a list turns trust on).
        try await withApp({ $0.trustedProxies = [CIDR("127.0.0.1/32")!]; $0.trustProxyHeaders = true }) { app in
            try await post(app, "three@example.com")
            let enquiry = try #require(try await Enquiry.query(on: app.db).first())
            #expect(enquiry.ip == "198.51.100.7")
            #expect(Self.line(await Doctor(application: app).run(), "LeadBridge", Doctor.proxyCheck)?.verdict == .pass)
        }
    }

    /// SuiteDash in API mode on this sandbox, with a budget, through the admin's settings store.
    func withSuiteDashOn(_ app: Application, _ sandbox: SandboxServer, _ body: () async throws -> Void) async throws {
        let store = try app.services.suiteDash.settings
        var form = SuiteDashSettingsStore.Form(mode: .api, isEnabled: true, apiURL: sandbox.suiteDashURL,
                                               publicID: sandbox.suiteDash.publicID, secretKey: sandbox.suiteDash.secretKey, tags: [])
        form.monthlyCallLimit = 2000
        try await store.save(form)
        try await body()
    }

    @Test("each failure switched on is its own ✗: missing permission (and the disabled filter it causes), a skewed clock, revoked tokens")
    func ringCentralFailures() async throws {
        try await withHealthyInstall(sandboxSettings: {
            $0.appPermissions.removeAll { $0 == "CallControl" }
            $0.clockOffsetSeconds = -300
        }) { app, sandbox in
            let checks = await Doctor(application: app).run()
            #expect(Self.line(checks, "RingCentral", "app permissions")?.verdict == .fail)
            #expect(Self.line(checks, "RingCentral", "app permissions")?.sentence.contains("CallControl") == true)
            #expect(Self.line(checks, "RingCentral", "webhook subscription")?.verdict == .fail)
            #expect(Self.line(checks, "RingCentral", "webhook subscription")?.sentence.contains("telephony events") == true)
            let clock = try #require(Self.line(checks, "RingCentral", "clock"))
            #expect(clock.verdict == .fail)
            // The Date header counts whole seconds: 300 or 301.
            #expect(clock.sentence.contains(" s ahead of RingCentral's"))
            #expect(clock.sentence.contains("is 30"))
            #expect(checks.failures == 3)

            sandbox.ringCentral.revokeAllTokens()
            let revoked = await Doctor(application: app).run()
            #expect(Self.line(revoked, "RingCentral", "access token")?.verdict == .fail, "\(revoked.table)")
        }
    }

    @Test("SuiteDash: refused keys, the sample keys, a mapped field the account lost, no budget")
    func suiteDashFailures() async throws {
        try await withSuiteDash({ $0.suiteDash.monthlyCallLimit = nil }) { app, sandbox in
            var checks = await Doctor(application: app).run()
            #expect(Self.line(checks, "SuiteDash", "keys")?.verdict == .pass)
            #expect(Self.line(checks, "SuiteDash", "monthly budget")?.verdict == .fail)

            let store = try app.services.suiteDash.settings
            let field = sandbox.suiteDash.customFields[0]
            var form = SuiteDashSettingsStore.Form(mode: .api, isEnabled: true, apiURL: sandbox.suiteDashURL,
                                                   publicID: sandbox.suiteDash.publicID, secretKey: sandbox.suiteDash.secretKey, tags: [])
            form.fieldMap = [.source: field.key]
            form.monthlyCallLimit = 400
            try await store.save(form)
            sandbox.suiteDash.customFields.removeFirst()
            checks = await Doctor(application: app).run()
            #expect(Self.line(checks, "SuiteDash", "custom fields")?.verdict == .fail)
            #expect(Self.line(checks, "SuiteDash", "custom fields")?.sentence.contains("Source") == true)
            #expect(Self.line(checks, "SuiteDash", "monthly budget")?.verdict == .pass)

            form.secretKey = "revoked"
            try await store.save(form)
            #expect(Self.line(await Doctor(application: app).run(), "SuiteDash", "keys")?.sentence.contains("SuiteDash refused these keys") == true)

            form.publicID = SuiteDashSandbox.dummyPublicID
            form.secretKey = SuiteDashSandbox.dummySecretKey
            try await store.save(form)
            let calls = sandbox.suiteDash.callsByEndpoint["GET /contact/meta"]
            let dummy = await Doctor(application: app).run()
            #expect(Self.line(dummy, "SuiteDash", "keys")?.verdict == .fail)
            #expect(Self.line(dummy, "SuiteDash", "keys")?.sentence.contains("sample keys") == true)
            #expect(sandbox.suiteDash.callsByEndpoint["GET /contact/meta"] == calls, "the sample keys are refused without a call")
        }
    }

    @Test("LeadBridge: a migration not applied is ✗; APP_URL over http is ✗ in production and ? elsewhere; not set up is ?, not ✗")
    func systemFailures() async throws {
        try await withApp { app in
            let fresh = await Doctor(application: app).run()
            #expect(fresh.failures == 0, "\(fresh.table)")
            #expect(Self.line(fresh, "RingCentral", "app")?.verdict == .unknown)
            #expect(fresh.filter { $0.area == "SuiteDash" }.map(\.verdict) == [.unknown], "not set up: \(fresh.table)")
            let last = try #require(AppMigrations.all.last?.name)
            try await app.db.sql().raw("DELETE FROM _fluent_migrations WHERE name = \(bind: last)").run()
            let checks = await Doctor(application: app).run()
            #expect(Self.line(checks, "LeadBridge", "migrations current")?.verdict == .fail)
            #expect(Self.line(checks, "LeadBridge", "migrations current")?.sentence.contains("leadbridge migrate") == true)
            await #expect(throws: (any Error).self, "the probe table is gone") {
                try await app.db.sql().raw("SELECT COUNT(*) AS n FROM leadbridge_doctor_probe").run()
            }
        }
        #expect(Doctor.appURL("http://leads.example.com", production: true).verdict == .fail)
        #expect(Doctor.appURL("http://localhost:8000", production: false).verdict == .unknown)
        #expect(Doctor.appURL("https://leads.example.com", production: true).verdict == .pass)
    }

    @Test("the dashboard's Check everything runs the same checks and shows them; GET only shows the button")
    func dashboardButton() async throws {
        try await withRingCentral(sandboxSettings: { $0.clockOffsetSeconds = 600 }) { app, sandbox in
            let browser = try await app.signedInBrowser()
            let dashboard = try await browser.get("/admin").text
            #expect(dashboard.contains("Check everything"))
            let before = sandbox.ringCentral.stats.totalCalls
            let page = try await browser.get("/admin/doctor")
            #expect(page.status == .ok)
            #expect(sandbox.ringCentral.stats.totalCalls == before, "showing the page asks nothing")
            let ran = try await browser.post("/admin/doctor", form: [:])
            #expect(ran.status == .ok)
            #expect(ran.text.contains("Check again"))
            #expect(ran.text.contains(" s behind RingCentral"))
            #expect(ran.text.contains(#"aria-label="failed""#))
        }
    }

    /// A public address is one anybody can send X-Forwarded-For from: on a quiet install a
    /// visitor's few enquiries are "most", so only a peer on this machine or network is offered
    /// as the setting to copy.
    @Test func theProxyAdviceNeverOffersAPublicAddressToTrust() {
        let visitor = Doctor.proxyAdvice(peer: "203.0.113.9", count: 3, of: 4, trustsSome: false)
        #expect(visitor.hasPrefix("3 enquiries of 4 in the last 7 days came from 203.0.113.9"))
        #expect(!visitor.contains("TRUSTED_PROXIES=203.0.113.9") && !visitor.contains("add 203.0.113.9"))
        #expect(visitor.contains("check that 203.0.113.9 is in its published address ranges"))
        let few = Doctor.proxyAdvice(peer: "203.0.113.9", count: 1, of: 40, trustsSome: false)
        #expect(few.contains("likely a visitor who sent the header: leave it untrusted"))
        #expect(Doctor.proxyAdvice(peer: "10.0.0.5", count: 1, of: 40, trustsSome: false).contains("set TRUSTED_PROXIES=10.0.0.5"))
        #expect(Doctor.proxyAdvice(peer: "::1", count: 5, of: 5, trustsSome: true).contains("add ::1 (or its provider's ranges) to TRUSTED_PROXIES"))
    }
}
