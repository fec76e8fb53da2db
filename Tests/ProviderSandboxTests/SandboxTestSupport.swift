import AsyncHTTPClient
import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import ProviderSandbox
import Vapor

/// One client for every test: redirects are not followed so the authorize flow's 302s can be read.
let testClient = HTTPClient(eventLoopGroupProvider: .singleton,
                            configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(10))))

struct Answer {
    var status: Int
    var headers: HTTPHeaders
    var body: Data

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var text: String { String(decoding: body, as: UTF8.self) }
    var errorCode: String? { (json["errors"] as? [[String: Any]])?.first?["errorCode"] as? String }
    func header(_ name: String) -> String? { headers.first(name: name) }
}

func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: Data? = nil) async throws -> Answer {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await testClient.execute(request, timeout: .seconds(10))
    let buffer = try await response.body.collect(upTo: 64 * 1024 * 1024)
    return Answer(status: Int(response.status.code), headers: response.headers, body: Data(buffer: buffer))
}

func jsonBody(_ object: Any) -> Data { try! JSONSerialization.data(withJSONObject: object) }

func form(_ fields: [String: String]) -> Data {
    var components = URLComponents()
    components.queryItems = fields.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
    return Data((components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B").utf8)
}

func basic(_ id: String = "rc-sandbox-client-id", _ secret: String = "rc-sandbox-client-secret") -> (String, String) {
    ("Authorization", "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString())
}

let formType = ("Content-Type", "application/x-www-form-urlencoded")
let jsonType = ("Content-Type", "application/json")

/// Runs `body` against a started sandbox with the given settings, and stops the sandbox before
/// returning, whether `body` succeeded or threw: a server left stopping in the background could
/// still be running when the test process exits.
func withSandbox<T>(_ configure: (inout RingCentralSandboxSettings) -> Void = { _ in },
                    run body: (SandboxServer) async throws -> T) async throws -> T {
    let sandbox = RingCentralSandbox()
    var settings = RingCentralSandboxSettings()
    configure(&settings)
    sandbox.settings = settings
    let server = try await SandboxServer.start(ringCentral: sandbox)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

/// Runs `body` with a started webhook receiver, stopped before returning.
func withWebhookReceiver<T>(_ body: (WebhookReceiver) async throws -> T) async throws -> T {
    let receiver = try await WebhookReceiver.start()
    do {
        let result = try await body(receiver)
        await receiver.stop()
        return result
    } catch {
        await receiver.stop()
        throw error
    }
}

struct Tokens {
    var access: String
    var refresh: String
    var bearer: (String, String) { ("Authorization", "Bearer " + access) }
}

let redirectURI = "http://127.0.0.1:9/oauth/callback"

/// Connects the way a script does: the control route's consent shortcut, then the token exchange.
func connect(_ server: SandboxServer) async throws -> Tokens {
    let code = try await send(.POST, server.baseURL + "/_sandbox/ringcentral/authorize", headers: [jsonType],
                              body: jsonBody(["redirect_uri": redirectURI, "state": "s1"])).json["code"] as! String
    let answer = try await send(.POST, server.baseURL + "/restapi/oauth/token", headers: [basic(), formType],
                                body: form(["grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI]))
    precondition(answer.status == 200, answer.text)
    return Tokens(access: answer.json["access_token"] as! String, refresh: answer.json["refresh_token"] as! String)
}

/// Time bounds of a request as the client saw it: the server handled it somewhere in between.
struct Window {
    var start: Date
    var end: Date
}

/// Runs `body` and returns its result with the client-side time window around it.
func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Window) {
    let start = Date()
    let value = try await body()
    return (value, Window(start: start, end: Date()))
}

/// Whether, whatever the server's exact times inside the two windows, `later` came at least
/// `lower` and less than `upper` seconds after `earlier`. Timing checks assert only when this
/// holds, so a loaded machine makes them skip rather than fail.
func certainly(_ later: Window, after earlier: Window, atLeast lower: Double, below upper: Double = .infinity) -> Bool {
    later.start.timeIntervalSince(earlier.end) >= lower && later.end.timeIntervalSince(earlier.start) < upper
}

func pkceChallenge(_ verifier: String) -> String {
    Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

/// A webhook receiver on loopback: `/hook` answers the handshake properly, `/status/{code}` answers
/// with that status, `/wrong-token` echoes a different Validation-Token. It records what it got.
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        var path: String
        var headers: HTTPHeaders
        var body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    private let app: Application
    let port: Int
    private let received: NIOLockedValueBox<[Delivery]>
    private let stopped = NIOLockedValueBox(false)

    var deliveries: [Delivery] { received.withLockedValue { $0 } }
    /// Notifications only (the handshake has an empty body).
    var notifications: [Delivery] { deliveries.filter { !$0.body.isEmpty } }
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    private init(app: Application, port: Int, received: NIOLockedValueBox<[Delivery]>) {
        self.app = app
        self.port = port
        self.received = received
    }

    static func start() async throws -> WebhookReceiver {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        let received = NIOLockedValueBox<[Delivery]>([])
        @Sendable func record(_ req: Request) {
            let body = req.body.data.map { Data(buffer: $0) } ?? Data()
            received.withLockedValue { $0.append(Delivery(path: req.url.path, headers: req.headers, body: body)) }
        }
        app.post("hook") { req -> Response in
            record(req)
            let response = Response(status: .ok, headers: ["Content-Type": "application/json"])
            if let token = req.headers.first(name: "Validation-Token") { response.headers.add(name: "Validation-Token", value: token) }
            return response
        }
        app.post("wrong-token") { req -> Response in
            record(req)
            let response = Response(status: .ok, headers: ["Content-Type": "application/json"])
            response.headers.add(name: "Validation-Token", value: "not-the-token")
            return response
        }
        // Echoes the token, with a body that makes the answer larger than RingCentral's 1,024 bytes.
        app.post("oversized") { req -> Response in
            record(req)
            let response = Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(string: String(repeating: "x", count: 1000)))
            if let token = req.headers.first(name: "Validation-Token") { response.headers.add(name: "Validation-Token", value: token) }
            return response
        }
        // Echoes the token with 200 and no content type: RingCentral's guide lists that as a cause of SUB-525.
        app.post("untyped") { req -> Response in
            record(req)
            let response = Response(status: .ok)
            if let token = req.headers.first(name: "Validation-Token") { response.headers.add(name: "Validation-Token", value: token) }
            return response
        }
        app.post("status", ":code") { req -> Response in
            record(req)
            return Response(status: .init(statusCode: Int(req.parameters.get("code") ?? "") ?? 500))
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = app.http.server.shared.localAddress?.port ?? 0
        return WebhookReceiver(app: app, port: port, received: received)
    }

    /// Safe to call twice (a test may stop it early to make deliveries fail).
    func stop() async {
        guard stopped.withLockedValue({ was in defer { was = true }; return !was }) else { return }
        await app.server.shutdown()
        try? await app.asyncShutdown()
    }
}
