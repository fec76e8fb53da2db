import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Serves the sandboxed providers over real HTTP on loopback, for tests, demos and benchmarks.
public final class SandboxServer: Sendable {
    public let suiteDash: SuiteDashSandbox
    public let ringCentral: RingCentralSandbox
    /// Turnstile's and hCaptcha's siteverify and widget scripts, all at the root.
    public let captcha: CaptchaSandbox
    public let port: Int
    private let app: Application
    private let stopped = NIOLockedValueBox(false)

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var suiteDashURL: String { baseURL + "/secure-api" }
    /// RingCentral's paths sit at the root (`/restapi/...`), so its server URL is the base URL.
    public var ringCentralURL: String { baseURL }
    /// For `TURNSTILE_URL`, `HCAPTCHA_JS_URL` and `HCAPTCHA_API_URL` alike.
    public var captchaURL: String { baseURL }

    /// Starts a server on `port` (0: any free port).
    public static func start(port: Int = 0, suiteDash: SuiteDashSandbox = SuiteDashSandbox(),
                             ringCentral: RingCentralSandbox = RingCentralSandbox(),
                             captcha: CaptchaSandbox = CaptchaSandbox()) async throws -> SandboxServer {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = port
        app.routes.defaultMaxBodySize = "1mb"
        suiteDash.register(on: app)
        suiteDash.registerControls(on: app)
        ringCentral.register(on: app)
        ringCentral.registerControls(on: app)
        captcha.register(on: app)
        captcha.registerControls(on: app)
        // Browsers ask every host for an icon; the real services have one, so no 404 here either.
        app.get("favicon.ico") { _ in Response(status: .noContent) }
        do {
            try await app.server.start(address: .hostname("127.0.0.1", port: port))
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        let bound = app.http.server.shared.localAddress?.port ?? port
        return SandboxServer(app: app, suiteDash: suiteDash, ringCentral: ringCentral, captcha: captcha, port: bound)
    }

    private init(app: Application, suiteDash: SuiteDashSandbox, ringCentral: RingCentralSandbox, captcha: CaptchaSandbox, port: Int) {
        self.app = app
        self.suiteDash = suiteDash
        self.ringCentral = ringCentral
        self.captcha = captcha
        self.port = port
    }

    /// Stops the server; a second call does nothing (shutting an application down twice is a crash).
    public func stop() async {
        guard stopped.withLockedValue({ was in defer { was = true }; return !was }) else { return }
        await app.server.shutdown()
        try? await app.asyncShutdown()
    }
}
