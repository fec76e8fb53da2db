import Foundation
import LeadBridge
import ProviderSandbox
import Vapor

/// `leadbridge demo`: the whole product on one machine with no accounts anywhere. The app runs
/// on SQLite in a throwaway folder, with both provider sandboxes in this process, SuiteDash in
/// API mode, RingCentral connected by JWT and subscribed to this server's webhook, a demo
/// admin and a month of activity. It reads no `SUITEDASH_*` or `RINGCENTRAL_*` variable (its
/// configuration is built here, not from the environment or `.env`), and an address saved in
/// its admin is never used: it cannot reach a real provider.
struct DemoCommand: AsyncCommand, StandaloneCommand {
    struct Signature: CommandSignature {
        @Option(name: "port", help: "Port for the app (default 8000).")
        var port: Int?
        @Option(name: "storage", help: "Keep the demo's data in this folder (empty, or made by an earlier demo); default: a throwaway folder.")
        var storage: String?
        @Option(name: "text-every", help: "Seconds between the texts leads send in (default 60; 0: none).")
        var textEvery: Int?
    }
    let help = "Try LeadBridge with no accounts: the app, both provider sandboxes and a month of data, on one port."

    func run(using context: CommandContext, signature: Signature) async throws {
        let console = context.console
        let folder: DemoFolder
        do { folder = try DemoFolder.open(signature.storage) } catch let refusal as DemoFolder.Refusal {
            throw UserFacingDemoError(refusal.description)
        }
        let port = signature.port ?? 8000
        let sandbox = try await SandboxServer.start()
        var ringCentralSettings = sandbox.ringCentral.settings
        // Slow enough to watch: ringing, answered, then the outcome.
        ringCentralSettings.ringOutStepSeconds = 3
        ringCentralSettings.smsStepSeconds = 2
        sandbox.ringCentral.settings = ringCentralSettings

        let app: Application
        do {
            var config = try AppConfig.load(from: Self.values(folder: folder, port: port, sandbox: sandbox))
            config.suiteDash.apiURLIsFixed = true
            config.ringCentral.serverURLIsFixed = true
            config.setupCodeRequired = false
            config.isDemo = true
            // Mail is caught in-process and shown on "Emails the demo sent": none leaves the demo.
            config.mail.catchesMail = true
            app = try await Application.make(Environment(name: "development", arguments: ["leadbridge", "serve"]))
            app.logger.logLevel = .warning
            do {
                try await configure(app, config: config)
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
        } catch {
            await sandbox.stop()
            if folder.isThrowaway { folder.remove() }
            throw error
        }

        var failure: (any Error)?
        do {
            let admin = try await DemoInstall.admin(app)
            let kept = try await DemoInstall.hasData(app)
            if kept {
                guard folder.isSeeded else {
                    throw UserFacingDemoError("\(folder.path) holds a demo that stopped while making its data; start one in a new folder (or without --storage).")
                }
                try await DemoInstall.forgetEarlierSandboxes(app)
            }
            try await app.startup()
            try await DemoInstall.connectRingCentral(app)
            if !kept {
                let bar = console.progressBar(title: "Making a month of demo data")
                bar.start()
                // The refusals and the outage the story needs are logged as errors; they are not.
                app.logger.logLevel = .critical
                defer { app.logger.logLevel = .warning }
                do {
                    let summary = try await DemoInstall.seed(app, providers: SandboxDemoProviders(server: sandbox), now: Date()) { share, _ in
                        bar.activity.currentProgress = share
                    }
                    bar.succeed()
                    try folder.markSeeded()
                    console.print("\(summary.enquiries) enquiries (\(summary.synced) synced, \(summary.failed) failed, \(summary.exported) exported), \(summary.calls) calls, \(summary.texts) texts.")
                } catch {
                    bar.fail()
                    throw error
                }
            }
            try await DemoInstall.turnOnSpeedToLead(app)
            console.print(Self.banner(url: "http://localhost:\(port)", admin: admin, folder: folder, sandbox: sandbox,
                                      textEvery: signature.textEvery ?? 60))
            let texts = Task { await Self.sendTexts(app, providers: SandboxDemoProviders(server: sandbox), every: signature.textEvery ?? 60) }
            try await app.running?.onStop.get()
            texts.cancel()
            await texts.value
        } catch {
            failure = error
        }
        try? await app.asyncShutdown()
        await sandbox.stop()
        if folder.isThrowaway { folder.remove() }
        // Said after the cleanup, and as a failure: a script that started the demo must see it.
        if let failure { throw failure }
    }

    /// The demo's whole configuration: nothing is read from the environment or `.env`.
    static func values(folder: DemoFolder, port: Int, sandbox: SandboxServer) throws -> [String: String] {
        [
            "APP_URL": "http://localhost:\(port)",
            "HOST": "127.0.0.1",
            "PORT": String(port),
            "STORAGE_PATH": folder.path,
            "APP_KEY": try folder.appKey(),
            "SUITEDASH_MODE": "api",
            "SUITEDASH_ENABLED": "true",
            "SUITEDASH_API_URL": sandbox.suiteDashURL,
            "SUITEDASH_API_KEY": sandbox.suiteDash.publicID,
            "SUITEDASH_SECRET_KEY": sandbox.suiteDash.secretKey,
            "SUITEDASH_EXPORT_PATH": folder.path + "/exports",
            "SUITEDASH_MONTHLY_CALL_LIMIT": "2000",
            "SUITEDASH_SYNCS_PER_MINUTE": "0",
            "RINGCENTRAL_SERVER_URL": sandbox.ringCentralURL,
            "RINGCENTRAL_CLIENT_ID": sandbox.ringCentral.clientID,
            "RINGCENTRAL_CLIENT_SECRET": sandbox.ringCentral.clientSecret,
            "RINGCENTRAL_JWT": sandbox.ringCentral.issueJWTCredential(),
            // A form's captcha in the demo meets the sandbox's stand-ins with the providers' test keys.
            "TURNSTILE_URL": sandbox.captchaURL,
            "HCAPTCHA_JS_URL": sandbox.captchaURL,
            "HCAPTCHA_API_URL": sandbox.captchaURL,
            "MAIL_HOST": "mail.demo.invalid",
            "MAIL_FROM_ADDRESS": "leads@demo.example",
            "MAIL_FROM_NAME": "Demo Consulting",
            "LEAD_ALERT_EMAIL_TO": "staff@demo.example",
            "QUEUE_WORKERS": "4",
            "QUEUE_POLL_MILLISECONDS": "250",
        ]
    }

    static func banner(url: String, admin: DemoInstall.Admin, folder: DemoFolder, sandbox: SandboxServer, textEvery: Int) -> String {
        """

        LeadBridge demo: \(url)/admin
          Email:    \(admin.email)
          Password: \(admin.password)

        Three things to try:
          1. Open an enquiry and press Call: RingCentral's stand-in rings you, then the lead, and the call lands in the log.
          2. Send the contact form at \(url)/contact with a phone: within seconds its page shows your staff alerted, the lead's instant reply and the lead in SuiteDash (Admin > Speed to lead sets the texts).
          3. Admin > Jobs: retry the sync that failed during a SuiteDash outage.
        \(textEvery > 0 ? "A lead texts in about every \(textEvery) s: see Texts, or the enquiry's page." : "No texts come in (--text-every 0).")

        SuiteDash and RingCentral here are stand-ins in this process (\(sandbox.baseURL)); no real service is contacted.
        Data: \(folder.path)\(folder.isThrowaway ? " (deleted when you stop; keep it with --storage PATH)" : "")
        Stop with Ctrl-C.
        """
    }

    /// A lead texts in now and then, delivered by the sandbox's webhook like a real one.
    static func sendTexts(_ app: Application, providers: SandboxDemoProviders, every seconds: Int) async {
        guard seconds > 0 else { return }
        var turn = 0
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: UInt64(seconds) * 1_000_000_000)
            if Task.isCancelled { return }
            if let text = try? await DemoInstall.nextInboundText(app, turn: turn) {
                try? await providers.textArrives(from: text.from, text: text.text)
            }
            turn += 1
        }
    }
}

struct UserFacingDemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
