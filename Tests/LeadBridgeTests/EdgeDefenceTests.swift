import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// The edges: webhooks, metrics, keys, files, logs and notices.
@Suite("Webhooks, metrics, keys and files")
struct EdgeDefenceTests {
    static func notification(_ uuid: String, at date: Date) -> ByteBuffer {
        ByteBuffer(string: #"{"timestamp":"\#(webhookTimestamp(date))","uuid":"\#(uuid)","event":"/restapi/v1.0/account/1/extension/2/telephony/sessions","body":{}}"#)
    }

    @Test("a notification older (or newer) than the window is refused as a possible replay; a fresh one is stored")
    func oldNotificationsAreRefused() async throws {
        try await withRingCentral({ $0.ringCentral.webhookSecret = "the-webhook-secret"; $0.ringCentral.webhookMaxAgeSeconds = 300 }) { app, _ in
            let headers: HTTPHeaders = ["Content-Type": "application/json", "Verification-Token": "the-webhook-secret"]
            let replayed = try await app.testing().sendRequest(.POST, "/api/webhooks/ringcentral", headers: headers,
                                                              body: Self.notification("old-1", at: Date().addingTimeInterval(-3600)))
            #expect(replayed.status == .badRequest && replayed.body.string.contains("possible replay"))
            let future = try await app.testing().sendRequest(.POST, "/api/webhooks/ringcentral", headers: headers,
                                                            body: Self.notification("future-1", at: Date().addingTimeInterval(3600)))
            #expect(future.status == .badRequest)
            let undated = try await app.testing().sendRequest(.POST, "/api/webhooks/ringcentral", headers: headers,
                body: ByteBuffer(string: #"{"uuid":"u-9","event":"/restapi/v1.0/account/1/extension/2/telephony/sessions","body":{}}"#))
            #expect(undated.status == .badRequest && undated.body.string.contains("timestamp"))
            #expect(try await WebhookEventRow.query(on: app.db).count() == 0, "nothing stored")
            let fresh = try await app.testing().sendRequest(.POST, "/api/webhooks/ringcentral", headers: headers,
                                                           body: Self.notification("fresh-1", at: Date()))
            #expect(fresh.status == .ok)
        }
    }

    @Test("the webhook endpoint has its own rate limit per address")
    func webhookRateLimit() async throws {
        try await withRingCentral({ $0.ringCentral.webhookSecret = "the-webhook-secret"; $0.ringCentral.webhookRateLimit = 3 }) { app, _ in
            var statuses: [HTTPStatus] = []
            for _ in 0..<4 {
                statuses.append(try await app.testing().sendRequest(.POST, "/api/webhooks/ringcentral", headers: ["Validation-Token": "abc"]).status)
            }
            #expect(statuses == [.ok, .ok, .ok, .tooManyRequests])
        }
    }

    @Test("start-up refuses a short webhook secret, with a sentence saying what to use")
    func shortWebhookSecretsAreRefused() throws {
        #expect(throws: ConfigurationError.self) {
            _ = try AppConfig.load(from: ["RINGCENTRAL_WEBHOOK_SECRET": "short"])
        }
        do { _ = try AppConfig.load(from: ["RINGCENTRAL_WEBHOOK_SECRET": "short"]) }
        catch { #expect(String(describing: error).contains("at least 16")) }
        #expect(try AppConfig.load(from: ["RINGCENTRAL_WEBHOOK_SECRET": String(repeating: "x", count: 16)]).ringCentral.webhookSecret != nil)
    }

    @Test("start-up refuses a METRICS_TOKEN shorter than 16 characters, with a sentence saying what to use")
    func shortMetricsTokensAreRefused() throws {
        for short in ["x", "metrics", "fifteen-chars-x"] {
            do {
                _ = try AppConfig.load(from: ["METRICS_TOKEN": short])
                Issue.record("METRICS_TOKEN=\(short) was accepted")
            } catch {
                #expect(String(describing: error).contains("METRICS_TOKEN"))
                #expect(String(describing: error).contains("at least 16"))
            }
        }
        #expect(try AppConfig.load(from: ["METRICS_TOKEN": String(repeating: "m", count: 16)]).metricsToken != nil)
        #expect(try AppConfig.load(from: [:]).metricsToken == nil, "unset is still allowed")
    }
}

/// `webhook_events`, read directly.
private final class WebhookEventRow: Model, @unchecked Sendable {
    static let schema = "webhook_events"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    init() {}
}

@Suite("Metrics in production")
struct MetricsInProductionTests {
    @Test("without METRICS_TOKEN, production serves no /metrics at all; with it, the bearer opens it")
    func metricsNeedTheTokenInProduction() async throws {
        try await withApp({ $0.metricsRequireToken = true }) { app in
            let response = try await app.testing().sendRequest(.GET, "/metrics")
            #expect(response.status == .notFound)
        }
        try await withApp({ $0.metricsRequireToken = true; $0.metricsToken = "a-metrics-token" }) { app in
            let anonymous = try await app.testing().sendRequest(.GET, "/metrics")
            let bearer = try await app.testing().sendRequest(.GET, "/metrics", headers: ["Authorization": "Bearer a-metrics-token"])
            #expect(anonymous.status == .unauthorized)
            #expect(bearer.status == .ok)
        }
    }
}

@Suite("Key rotation")
struct KeyRotationTests {
    @Test("key rotate re-seals every stored secret under the current key, so the old one can go; the dashboard counts what is left")
    func rotationFinishes() async throws {
        let old = AppKey.generate()
        try await withApp({ $0.appKey = AppKey.generate().encoded; $0.previousAppKeys = [old.encoded] }) { app in
            // Secrets sealed before the rotation, under the old key.
            let before = SecretBox(current: old)
            let row = IntegrationSetting(provider: "suitedash")
            row.credentials = ["public_id": try before.seal("pid", context: "integration_settings.credentials.suitedash.public_id"),
                               "secret_key": try before.seal("sk", context: "integration_settings.credentials.suitedash.secret_key")]
            row.settings = ["saved_by_admin": "true"]
            try await row.create(on: app.db)
            let tokens = RingCentralTokenRecord()
            tokens.sealedAccessToken = try before.seal("access", context: RingCentralTokenRepository.accessContext)
            tokens.sealedRefreshToken = try before.seal("refresh", context: RingCentralTokenRepository.refreshContext)
            try await tokens.create(on: app.db)

            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            #expect(try await browser.get("/admin").text.contains("4 stored secret(s) still use an old key."))

            let resealer = SecretResealer(database: app.db, secrets: app.services.secrets)
            #expect(try await resealer.census() == .init(sealed: 4, underOldKeys: 4))
            #expect(try await resealer.resealAll() == 4)
            #expect(try await resealer.census() == .init(sealed: 4, underOldKeys: 0))
            #expect(!(try await browser.get("/admin").text.contains("still use an old key")))

            // Readable with the current key alone: the old one is no longer needed.
            let currentOnly = SecretBox(current: app.services.secrets.currentKey)
            let stored = try #require(try await IntegrationSetting.query(on: app.db).filter(\.$provider == "suitedash").first())
            #expect(try currentOnly.open(stored.credentials!["secret_key"]!, context: "integration_settings.credentials.suitedash.secret_key") == "sk")
            let token = try #require(try await RingCentralTokenRecord.query(on: app.db).first())
            #expect(try currentOnly.open(token.sealedRefreshToken!, context: RingCentralTokenRepository.refreshContext) == "refresh")
        }
    }
}

@Suite("Files on disk")
struct FilePermissionTests {
    static func permissions(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("storage/ is the server user's alone: the folder 0700, the SQLite files and exports 0600")
    func storageIsOwnerOnly() async throws {
        try await withSuiteDash({ $0.suiteDash.mode = .import }) { app, _ in
            let config = app.services.config
            #expect(try Self.permissions(config.storagePath) == 0o700)
            if !TestDatabase.isPostgres {
                for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: config.sqlitePath + suffix) {
                    #expect(try Self.permissions(config.sqlitePath + suffix) == 0o600, "database.sqlite\(suffix)")
                }
            }
            try await app.submitEnquiry()
            guard case .exported(_, let path) = try await app.services.suiteDash.exporter.export(.init(), createdBy: "test") else {
                Issue.record("nothing exported"); return
            }
            #expect(try Self.permissions(path) == 0o600)
            #expect(try Self.permissions((path as NSString).deletingLastPathComponent) == 0o700)
        }
    }

    @Test("export files older than the retention are deleted by the hourly upkeep; their history stays and says so")
    func oldExportsAreDeleted() async throws {
        try await withSuiteDash({ $0.suiteDash.mode = .import; $0.suiteDash.exportRetentionDays = 30 }) { app, _ in
            try await app.submitEnquiry()
            guard case .exported(let export, let path) = try await app.services.suiteDash.exporter.export(.init(), createdBy: "test") else {
                Issue.record("nothing exported"); return
            }
            try await app.services.jobQueue.enqueue(Housekeeping.self, .init(), on: app.db)
            try await app.runDueJobs()
            #expect(FileManager.default.fileExists(atPath: path), "a fresh export stays")

            try await SuiteDashExport.query(on: app.db).set(\.$createdAt, to: Date().addingTimeInterval(-31 * 86_400)).update()
            try await app.services.jobQueue.enqueue(Housekeeping.self, .init(), on: app.db)
            try await app.runDueJobs()
            #expect(!FileManager.default.fileExists(atPath: path))
            try await app.createAdmin()
            let download = try await app.signedInBrowser().get("/admin/integrations/suitedash/exports/\(export.id!)/download")
            #expect(download.status == .gone)
        }
    }
}

@Suite("Notices")
struct NoticeTests {
    @Test("an admin page shows a notice only when this server wrote it: text put in a link is not shown")
    func noticesAreSigned() async throws {
        try await withApp { app in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let forged = try await browser.get("/admin/jobs?notice=Your%20password%20expired%3A%20call%20555-0100")
            #expect(forged.status == .ok && !forged.text.contains("Your password expired"))
            let real = try await browser.post("/admin/jobs/failed/retry-all", form: [:])
            let location = try #require(real.location)
            #expect(location.contains("&ns="))
            let page = try await browser.get(location)
            #expect(page.text.contains("class=\"notice\""))
        }
    }
}
