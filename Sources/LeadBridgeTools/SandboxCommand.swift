import Foundation
import LeadBridge
import ProviderSandbox
import Vapor

/// `leadbridge sandbox`: serves the local stand-ins of the providers' APIs, for demos and
/// benchmarks. Point `SUITEDASH_API_URL` at the address it prints.
struct SandboxCommand: AsyncCommand, StandaloneCommand {
    struct Signature: CommandSignature {
        @Option(name: "port", help: "Port to listen on (default 9100).")
        var port: Int?
        @Option(name: "latency", help: "Milliseconds added to every answer (default 0).")
        var latency: Int?
    }
    let help = "Serve the SuiteDash, RingCentral, Turnstile and hCaptcha sandboxes on 127.0.0.1 until stopped."

    func run(using context: CommandContext, signature: Signature) async throws {
        let suiteDash = SuiteDashSandbox()
        suiteDash.switches.latencyMilliseconds = max(0, signature.latency ?? 0)
        let ringCentral = RingCentralSandbox()
        ringCentral.switches.latencyMilliseconds = suiteDash.switches.latencyMilliseconds
        let server = try await SandboxServer.start(port: signature.port ?? 9100, suiteDash: suiteDash, ringCentral: ringCentral)
        context.console.print("""
            SuiteDash sandbox on \(server.suiteDashURL)
              SUITEDASH_API_URL=\(server.suiteDashURL)
              SUITEDASH_API_KEY=\(suiteDash.publicID)
              SUITEDASH_SECRET_KEY=\(suiteDash.secretKey)
            RingCentral sandbox on \(server.ringCentralURL)
              RINGCENTRAL_SERVER_URL=\(server.ringCentralURL)
              RINGCENTRAL_CLIENT_ID=\(ringCentral.clientID)
              RINGCENTRAL_JWT=\(ringCentral.issueJWTCredential())
              RINGCENTRAL_CLIENT_SECRET=\(ringCentral.clientSecret)
            Turnstile and hCaptcha sandbox on \(server.captchaURL) (Cloudflare's and hCaptcha's test keys only)
              TURNSTILE_URL=\(server.captchaURL)
              HCAPTCHA_JS_URL=\(server.captchaURL)
              HCAPTCHA_API_URL=\(server.captchaURL)
            Stats: \(server.baseURL)/_sandbox/suitedash, \(server.baseURL)/_sandbox/ringcentral and \(server.baseURL)/_sandbox/captcha   Stop with Ctrl-C.
            """)
        await TerminationSignal.wait()
        await server.stop()
    }
}
