import Foundation
import Testing
import Vapor
@testable import LeadBridge

/// Issue #27: in production a provider's address on this machine or a private network is
/// refused, so an admin session (or an environment) cannot point LeadBridge's keys and
/// requests at internal services.
@Suite("Provider addresses in production")
struct ProviderHostTests {
    /// Configures an app in the production environment (as `leadbridge routes` would, so it
    /// serves nothing) and returns the start-up error's sentence, or nil when it started.
    static func startProduction(_ environment: [String: String]) async throws -> String? {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("leadbridge-prod-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let config = try AppConfig.load(from: environment.merging(["APP_KEY": testAppKey, "STORAGE_PATH": scratch]) { $1 })
        let app = try await Application.make(Environment(name: "production", arguments: ["leadbridge", "routes"]))
        app.logger.logLevel = .critical
        var failure: String?
        do { try await configure(app, config: config) } catch { failure = String(describing: error) }
        try await app.asyncShutdown()
        return failure
    }

    @Test("production refuses SUITEDASH_API_URL and RINGCENTRAL_SERVER_URL on loopback, private or link-local addresses, unless ALLOW_PRIVATE_PROVIDER_HOSTS=true")
    func productionRefusesPrivateAddressesFromTheEnvironment() async throws {
        let refused = [("SUITEDASH_API_URL", "http://127.0.0.1:9000/secure-api"), ("SUITEDASH_API_URL", "https://localhost/secure-api"),
                       ("RINGCENTRAL_SERVER_URL", "https://10.1.2.3"), ("RINGCENTRAL_SERVER_URL", "https://172.20.0.4:8443"),
                       ("SUITEDASH_API_URL", "https://192.168.0.10/api"), ("RINGCENTRAL_SERVER_URL", "https://169.254.169.254"),
                       ("SUITEDASH_API_URL", "https://[fd12::1]/api"), ("RINGCENTRAL_SERVER_URL", "https://[fe80::1]"),
                       ("SUITEDASH_API_URL", "https://[::1]/api")]
        for (name, url) in refused {
            let failure = try await Self.startProduction([name: url])
            #expect(failure?.contains(name) == true, "\(name)=\(url): \(failure ?? "started")")
            #expect(failure?.contains("ALLOW_PRIVATE_PROVIDER_HOSTS") == true, "\(name)=\(url)")
        }
        #expect(try await Self.startProduction(["SUITEDASH_API_URL": "http://127.0.0.1:9000/secure-api",
                                                "ALLOW_PRIVATE_PROVIDER_HOSTS": "true"]) == nil)
        #expect(try await Self.startProduction(["RINGCENTRAL_SERVER_URL": "https://platform.devtest.ringcentral.com"]) == nil)
        #expect(try await Self.startProduction([:]) == nil, "the defaults are public")
    }

    @Test("the rule: loopback, private and link-local hosts are named, public ones pass")
    func theRuleItself() {
        let refused = ["http://127.0.0.1:8080", "https://127.9.9.9", "https://localhost", "https://LocalHost.", "https://api.localhost",
                       "https://0.0.0.0", "https://[::]", "https://[::1]:8443", "https://10.0.0.1", "https://172.16.0.1",
                       "https://172.31.255.255", "https://192.168.1.1", "https://169.254.169.254/latest", "https://[fc00::1]",
                       "https://[fdff:ffff::1]", "https://[fe80::1]", "https://[febf::1]", "https://[::ffff:10.0.0.1]",
                       "https://127.1", "https://2130706433", "https://0x7f.0.0.1", "https://0177.0.0.1", "https://10.1"]
        for url in refused { #expect(ProviderHost.problem(url) != nil, "\(url)") }
        let allowed = ["https://app.suitedash.com/secure-api", "https://platform.ringcentral.com", "https://172.32.0.1",
                       "https://172.15.0.1", "https://192.169.0.1", "https://169.253.0.1", "https://8.8.8.8", "https://[2001:db8::1]",
                       "https://[fec0::1]", "https://10.example.com", "https://localhost.example.com"]
        for url in allowed { #expect(ProviderHost.problem(url) == nil, "\(url)") }
    }

    @Test("where the rule applies, the admin pages refuse such an address with a sentence and save nothing")
    func adminFormsRefusePrivateAddresses() async throws {
        // The environment's addresses are the public defaults (the rule would stop start-up on
        // the loopback sandbox); the refusal comes before any call, so nothing leaves this machine.
        try await withApp({ $0.refusesPrivateProviderHosts = true }) { app in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            try await browser.get("/admin/integrations/suitedash")
            let refused = try await browser.post("/admin/integrations/suitedash", form: [
                "mode": "api", "enabled": "on", "api_url": "https://10.0.0.7/secure-api", "tags": "website-lead",
                "public_id": "some-public-id", "secret_key": "some-secret-key",
            ])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("That address is a private network address."))
            #expect(try await app.services.suiteDash.settings.load().apiURL == app.services.config.suiteDash.apiURL, "nothing saved")

            try await browser.get("/admin/integrations/ringcentral")
            let rejected = try await browser.post("/admin/integrations/ringcentral", form: [
                "client_id": "some-client-id", "client_secret": "some-client-secret", "server_url": "https://169.254.169.254",
                "redirect_uri": app.services.config.ringCentral.redirectURI, "call_log_sync_minutes": "15",
            ])
            #expect(rejected.status == .unprocessableEntity)
            #expect(rejected.text.contains("link-local address"))
            #expect(try await app.services.ringCentral.settings.load().serverURL == app.services.config.ringCentral.serverURL)
        }
    }
}
