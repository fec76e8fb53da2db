import AsyncHTTPClient
import Fluent
import Foundation
import SQLKit
import NIOCore
import NIOPosix
import ProviderSandbox
import RingCentralKit
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// An app whose RingCentral settings (from the environment, the guide's RINGCENTRAL_*)
/// point at a sandbox on a free loopback port; connected through the real OAuth round trip
/// when `connected` is true. `environmentJWT` puts a JWT credential the sandbox issued in
/// RINGCENTRAL_JWT.
func withRingCentral(
    connected: Bool = true,
    environmentJWT: Bool = false,
    clock: AppClock = .system,
    _ adjust: (inout AppConfig) -> Void = { _ in },
    sandboxSettings: (inout RingCentralSandboxSettings) -> Void = { _ in },
    _ test: (Application, SandboxServer) async throws -> Void
) async throws {
    let sandbox = try await SandboxServer.start()
    do {
        try await withApp(clock: clock, { config in
            config.ringCentral.clientID = sandbox.ringCentral.clientID
            config.ringCentral.clientSecret = sandbox.ringCentral.clientSecret
            config.ringCentral.serverURL = sandbox.ringCentralURL
            if environmentJWT { config.ringCentral.jwt = sandbox.ringCentral.issueJWTCredential() }
            adjust(&config)
            var settings = sandbox.ringCentral.settings
            settings.redirectURIs = [config.ringCentral.redirectURI]
            sandboxSettings(&settings)
            sandbox.ringCentral.settings = settings
        }) { app in
            if connected { try await app.connectRingCentral(sandbox) }
            try await test(app, sandbox)
            await app.services.ringCentral.pendingLogs.drain()
        }
    } catch {
        await sandbox.stop()
        throw error
    }
    await sandbox.stop()
}

/// The person at RingCentral's consent page: reads the form, presses a button, and reports
/// where RingCentral sends the browser back (without following it).
enum ConsentPage {
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    static func answer(_ authorizeURL: String, approve: Bool = true) async throws -> URLComponents {
        let page = try await client.execute(HTTPClientRequest(url: authorizeURL), timeout: .seconds(10))
        let html = String(buffer: try await page.body.collect(upTo: 1 << 20))
        #expect(page.status == .ok, "the consent page should open: \(html)")
        var fields: [(String, String)] = []
        let pattern = try NSRegularExpression(pattern: #"<input type="hidden" name="([^"]+)" value="([^"]*)">"#)
        for match in pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            let name = String(html[Range(match.range(at: 1), in: html)!])
            let value = String(html[Range(match.range(at: 2), in: html)!])
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
                .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
            fields.append((name, value))
        }
        fields.append(("decision", approve ? "approve" : "deny"))
        let base = authorizeURL.components(separatedBy: "/restapi/").first ?? authorizeURL
        var post = HTTPClientRequest(url: base + "/restapi/oauth/authorize")
        post.method = .POST
        post.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        post.body = .bytes(ByteBuffer(string: fields.map {
            "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")))
        let decision = try await client.execute(post, timeout: .seconds(10))
        #expect(decision.status == .found || decision.status == .seeOther)
        guard let location = decision.headers.first(name: "Location"), let components = URLComponents(string: location) else {
            throw Abort(.internalServerError, reason: "RingCentral's consent page sent no redirect")
        }
        return components
    }
}

extension URLComponents {
    func query(_ name: String) -> String? { queryItems?.first { $0.name == name }?.value }
    /// The redirect's path and query, to replay against the app under test.
    var pathAndQuery: String { path + (percentEncodedQuery.map { "?" + $0 } ?? "") }
}

extension Application {
    /// Connects RingCentral the way an admin does: Connect, approve at RingCentral, come back.
    func connectRingCentral(_ sandbox: SandboxServer) async throws {
        if try await User.query(on: db).count() == 0 { try await createAdmin() }
        let browser = try await signedInBrowser()
        let start = try await browser.post("/admin/integrations/ringcentral/connect", form: [:])
        #expect(start.status == .ok)
        let back = try await ConsentPage.answer(try #require(start.onward))
        let finish = try await browser.get(back.pathAndQuery)
        #expect(finish.status == .seeOther, "the callback should succeed: \(finish.text)")
        #expect(try await RingCentralTokenRecord.query(on: db).count() == 1)
    }

    /// Admin > RingCentral > Connect with JWT, as an admin presses it.
    func connectRingCentralWithJWT(_ browser: Browser) async throws {
        let connected = try await browser.post("/admin/integrations/ringcentral/connect-jwt", form: [:])
        #expect(connected.status == .seeOther, "Connect with JWT should succeed: \(connected.text)")
        #expect(connected.location?.contains("Connected") == true)
        #expect(try await RingCentralTokenRecord.query(on: db).count() == 1)
    }

    /// Admin > RingCentral > Settings saved with this JWT credential (and the rest as configured).
    func saveRingCentralJWT(_ jwt: String, _ browser: Browser, forget: Bool = false, expect status: HTTPStatus = .seeOther) async throws -> TestingHTTPResponse {
        let configuration = try await services.ringCentral.settings.load()
        var form = ["server_url": configuration.serverURL, "redirect_uri": configuration.redirectURI, "call_log_sync_minutes": "15", "jwt": jwt]
        if forget { form["forget_jwt"] = "on" }
        let saved = try await browser.post("/admin/integrations/ringcentral", form: form)
        #expect(saved.status == status, "\(saved.text)")
        return saved
    }

    /// The tokens as stored, opened with the app's key.
    func storedRingCentralTokens() async throws -> RingCentralTokenSet? {
        try await self.services.ringCentral.tokenRepository.load()
    }

    /// Makes the stored access token look about to expire (as it would 56 minutes in) and
    /// clears every in-memory copy.
    func ageRingCentralToken(by seconds: TimeInterval = 3500) async throws {
        let row = try #require(try await RingCentralTokenRecord.query(on: db).first())
        row.expiresAt = (row.expiresAt ?? Date()).addingTimeInterval(-seconds)
        try await row.save(on: db)
        await services.ringCentral.forgetCachedTokens()
    }
}

extension Application {
    /// Brings every delayed job forward, as if its time had come.
    func makeAllJobsDue() async throws {
        try await db.sql().update("jobs").set("available_at", to: SQLBind(Date().addingTimeInterval(-1))).run()
    }
}

/// A webhook notification's `timestamp` for now (RingCentral's ISO 8601 with milliseconds).
func webhookTimestamp(_ date: Date = Date()) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: date)
}

/// The app served on a free loopback port that is its APP_URL, so the sandbox's webhook
/// handshake and notifications reach it over real HTTP; stopped afterwards, whatever happens.
/// `adjust` changes the configuration further (after APP_URL is set).
func withServedRingCentral(_ adjust: (inout AppConfig) -> Void = { _ in },
                           sandboxSettings: (inout RingCentralSandboxSettings) -> Void = { _ in },
                           _ test: (Application, SandboxServer, Int) async throws -> Void) async throws {
    let port = try freeLoopbackPort()
    try await withRingCentral({ $0.appURL = "http://127.0.0.1:\(port)"; adjust(&$0) }, sandboxSettings: sandboxSettings) { app, sandbox in
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = port
        try await app.server.start(address: .hostname("127.0.0.1", port: port))
        do {
            try await test(app, sandbox, port)
        } catch {
            await app.server.shutdown()
            throw error
        }
        await app.server.shutdown()
    }
}

/// A port nobody listens on right now.
func freeLoopbackPort() throws -> Int {
    let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).wait()
    let port = channel.localAddress?.port ?? 0
    try channel.close().wait()
    return port
}
