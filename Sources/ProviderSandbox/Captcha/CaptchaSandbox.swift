import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Stand-ins for Cloudflare Turnstile and hCaptcha, from their documentation
/// (docs/providers.md, "Captcha", cites each page):
///
/// - `POST /turnstile/v0/siteverify` and hCaptcha's `POST /siteverify`: form bodies (Turnstile
///   takes JSON too) with `secret`, `response` and `remoteip`; answered with `success` and
///   `error-codes`. Only the providers' published test keys are known here:
///   Turnstile's secrets `1x…AA` (passes the dummy token; any other token is
///   `invalid-input-secret`, as Cloudflare's error table says of a test secret), `2x…AA` (always fails:
///   `invalid-input-response`) and `3x…AA` (`timeout-or-duplicate`, "token already spent");
///   hCaptcha's test secret `0x000…` with its test token. Any other secret is
///   `invalid-input-secret`, as a real account's secret would be for a test token.
/// - The widgets' scripts, `GET /turnstile/v0/api.js` and `GET /1/api.js`: render into
///   `.cf-turnstile` / `.h-captcha` (or `render(container, {sitekey})`), show a frame from this
///   host (so a page's `frame-src` is exercised) and fill `cf-turnstile-response` /
///   `h-captcha-response` with the dummy token. Turnstile's always-fail site key `2x…AB`
///   never produces a token.
/// - `outage` (`POST /_sandbox/captcha/switches`): siteverify answers 503, as when the provider
///   cannot be reached.
/// - A real account's widget, as a test sets one up (`POST /_sandbox/captcha/accounts` with its
///   provider, site key and secret): the stand-in widget then mints a token that names the page's
///   host, and siteverify answers with that `hostname` (both providers report the host the
///   widget was solved on), once per token. The test keys' answers name `example.com`.
public final class CaptchaSandbox: Sendable {
    public static let turnstilePassSiteKey = "1x00000000000000000000AA"
    public static let turnstileFailSiteKey = "2x00000000000000000000AB"
    public static let turnstilePassSecret = "1x0000000000000000000000000000000AA"
    public static let turnstileFailSecret = "2x0000000000000000000000000000000AA"
    public static let turnstileSpentSecret = "3x0000000000000000000000000000000AA"
    public static let turnstileDummyToken = "XXXX.DUMMY.TOKEN.XXXX"
    public static let hcaptchaTestSiteKey = "10000000-ffff-ffff-ffff-000000000001"
    public static let hcaptchaTestSecret = "0x0000000000000000000000000000000000000000"
    public static let hcaptchaTestToken = "10000000-aaaa-bbbb-cccc-000000000001"

    /// One verification as it arrived, for tests to check what LeadBridge sent.
    public struct Check: Sendable, Equatable {
        public let provider: String
        public let secret: String?
        public let response: String?
        public let remoteIP: String?

        public init(provider: String, secret: String?, response: String?, remoteIP: String?) {
            self.provider = provider; self.secret = secret; self.response = response; self.remoteIP = remoteIP
        }
    }

    /// A real account's widget: the provider (`turnstile`, `hcaptcha`), its site key and secret.
    public struct Account: Sendable, Codable, Equatable {
        public let provider: String
        public let siteKey: String
        public let secret: String
        public init(provider: String, siteKey: String, secret: String) {
            self.provider = provider; self.siteKey = siteKey; self.secret = secret
        }
    }

    private struct State {
        var switches = SandboxSwitches()
        var checks: [Check] = []
        var accounts: [Account] = []
        var spentTokens: Set<String> = []
    }
    private let state = NIOLockedValueBox(State())

    public init() {}

    public var checks: [Check] { state.withLockedValue { $0.checks } }
    public func addAccount(_ account: Account) { state.withLockedValue { $0.accounts.append(account) } }
    public var switches: SandboxSwitches {
        get { state.withLockedValue { $0.switches } }
        set { state.withLockedValue { $0.switches = newValue } }
    }

    public func register(on routes: any RoutesBuilder) {
        routes.post("turnstile", "v0", "siteverify") { req in try await self.verify(req, provider: "turnstile") }
        routes.post("siteverify") { req in try await self.verify(req, provider: "hcaptcha") }
        routes.get("turnstile", "v0", "api.js") { _ in Self.script(Self.turnstileScript) }
        routes.get("1", "api.js") { _ in Self.script(Self.hcaptchaScript) }
        routes.get("captcha-frame") { req -> Response in
            let passed = (try? req.query.get(String.self, at: "passed")) == "1"
            let html = """
                <!doctype html><html><body style="margin:0;font:14px sans-serif">\
                <p>\(passed ? "Success! (sandbox captcha)" : "Verification failed (sandbox captcha)")</p></body></html>
                """
            return Response(status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"], body: .init(string: html))
        }
    }

    public func registerControls(on routes: any RoutesBuilder) {
        let control = routes.grouped("_sandbox", "captcha")
        control.get { _ in
            let checks = self.checks
            return Self.json(.ok, ["checks": checks.count,
                                   "turnstile": checks.filter { $0.provider == "turnstile" }.count,
                                   "hcaptcha": checks.filter { $0.provider == "hcaptcha" }.count])
        }
        control.post("accounts") { req -> Response in
            self.addAccount(try req.content.decode(Account.self))
            return Self.json(.ok, ["ok": true])
        }
        control.post("switches") { req -> Response in
            self.switches = try req.content.decode(SandboxSwitches.self)
            return Self.json(.ok, ["ok": true])
        }
    }

    private func verify(_ req: Request, provider: String) async throws -> Response {
        let fields = Self.fields(of: req)
        let check = Check(provider: provider, secret: fields["secret"], response: fields["response"], remoteIP: fields["remoteip"])
        let switches = state.withLockedValue { state in
            state.checks.append(check)
            return state.switches
        }
        if switches.latencyMilliseconds > 0 {
            try await Task.sleep(nanoseconds: UInt64(switches.latencyMilliseconds) * 1_000_000)
        }
        if switches.outage { return Response(status: .serviceUnavailable, body: .init(string: "Service Unavailable")) }
        if let account = state.withLockedValue({ $0.accounts.first { $0.provider == provider && $0.secret == check.secret } }) {
            return accountAnswer(account, check)
        }
        let codes = provider == "turnstile" ? Self.turnstileCodes(check) : Self.hcaptchaCodes(check)
        if codes.isEmpty {
            return Self.passed(hostname: "example.com")
        }
        return Self.json(.ok, ["success": false, "error-codes": codes])
    }

    /// A real account's token: `sandbox.<site key>.<host>.<nonce>`, as the stand-in widget mints
    /// it. Another key's token is `invalid-input-response`; a second use `timeout-or-duplicate`.
    private func accountAnswer(_ account: Account, _ check: Check) -> Response {
        let parts = (check.response ?? "").split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "sandbox", parts[1] == account.siteKey,
              let host = parts[2].split(separator: "~").first.map(String.init), !host.isEmpty else {
            return Self.json(.ok, ["success": false, "error-codes": ["invalid-input-response"]])
        }
        let firstUse = state.withLockedValue { $0.spentTokens.insert(check.response ?? "").inserted }
        guard firstUse else { return Self.json(.ok, ["success": false, "error-codes": ["timeout-or-duplicate"]]) }
        return Self.passed(hostname: host)
    }

    private static func passed(hostname: String) -> Response {
        json(.ok, ["success": true, "challenge_ts": ISO8601DateFormatter().string(from: Date()),
                   "hostname": hostname, "error-codes": [String]()])
    }

    /// Cloudflare's "Testing" page: the three dummy secrets, and the dummy token.
    static func turnstileCodes(_ check: Check) -> [String] {
        guard let secret = check.secret, !secret.isEmpty else { return ["missing-input-secret"] }
        guard let response = check.response, !response.isEmpty else { return ["missing-input-response"] }
        switch secret {
        // "invalid-input-secret: … or is a testing secret key with a non-testing response".
        case turnstilePassSecret: return response == turnstileDummyToken ? [] : ["invalid-input-secret"]
        case turnstileFailSecret: return ["invalid-input-response"]
        case turnstileSpentSecret: return ["timeout-or-duplicate"]
        default:
            // A real account's secret: it takes only real tokens, which no stand-in can make.
            return ["invalid-input-secret"]
        }
    }

    /// hCaptcha's test pair: the zero secret takes the test token.
    static func hcaptchaCodes(_ check: Check) -> [String] {
        guard let secret = check.secret, !secret.isEmpty else { return ["missing-input-secret"] }
        guard let response = check.response, !response.isEmpty else { return ["missing-input-response"] }
        guard secret == hcaptchaTestSecret else { return ["invalid-input-secret"] }
        return response == hcaptchaTestToken ? [] : ["invalid-input-response"]
    }

    private static func fields(of req: Request) -> [String: String] {
        if req.headers.contentType == .json, let object = try? req.content.decode([String: String].self) { return object }
        guard let body = req.body.string else { return [:] }
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if let name = parts.first { fields[name] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }

    private static func json(_ status: HTTPResponseStatus, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: ["Content-Type": "application/json"], body: .init(data: data))
    }

    private static func script(_ source: String) -> Response {
        Response(status: .ok, headers: ["Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-store"],
                 body: .init(string: source))
    }

    /// One script for both widgets: `NAME` is the global (`turnstile`, `hcaptcha`), `CLASS` the
    /// element class, `FIELD` the token field, `TOKEN` the dummy token, `FAIL` the site keys that never pass.
    private static func widgetScript(name: String, widgetClass: String, field: String, token: String, failing: [String],
                                     testKeys: [String]) -> String {
        let failingList = failing.map { "\"\($0)\"" }.joined(separator: ",")
        let testList = (testKeys + failing).map { "\"\($0)\"" }.joined(separator: ",")
        return """
        // Sandbox stand-in for the \(name) widget (LeadBridge's ProviderSandbox): no challenge, a dummy token.
        (function () {
          var origin = new URL(document.currentScript.src).origin;
          var FAIL = [\(failingList)];
          var TEST = [\(testList)];
          var widgets = [];
          function render(container, params) {
            var box = typeof container === "string" ? document.querySelector(container) : container;
            if (!box || box.getAttribute("data-sandbox-rendered")) return null;
            box.setAttribute("data-sandbox-rendered", "1");
            var sitekey = (params && params.sitekey) || box.getAttribute("data-sitekey") || "";
            var passed = FAIL.indexOf(sitekey) < 0;
            var frame = document.createElement("iframe");
            frame.src = origin + "/captcha-frame?passed=" + (passed ? "1" : "0");
            frame.title = "\(name) (sandbox)";
            frame.width = "300"; frame.height = "40"; frame.setAttribute("frameborder", "0");
            box.appendChild(frame);
            var input = document.createElement("\(name == "hcaptcha" ? "textarea" : "input")");
            input.name = "\(field)";
            if (input.type !== undefined && input.tagName === "INPUT") input.type = "hidden";
            input.hidden = true;
            box.appendChild(input);
            var widget = { box: box, input: input, passed: passed, sitekey: sitekey };
            widgets.push(widget);
            fill(widget);
            return String(widgets.length - 1);
          }
          // A test key's dummy token; a real account's names the page's host, as a solved token does.
          function mint(widget) {
            if (TEST.indexOf(widget.sitekey) >= 0) return "\(token)";
            return "sandbox." + widget.sitekey + "." + location.hostname + "~" + Math.random().toString(36).slice(2);
          }
          function fill(widget) { widget.input.value = widget.passed ? mint(widget) : ""; }
          function reset(id) { var widget = widgets[id === undefined ? 0 : Number(id)]; if (widget) fill(widget); }
          function getResponse(id) { var widget = widgets[id === undefined ? 0 : Number(id)]; return widget ? widget.input.value : ""; }
          window.\(name) = { render: render, reset: reset, getResponse: getResponse, remove: function () {} };
          var script = document.currentScript;
          var explicit = script && /[?&]render=explicit/.test(script.src);
          var onload = script && (script.src.match(/[?&]onload=([A-Za-z0-9_]+)/) || [])[1];
          function start() {
            if (!explicit) Array.prototype.forEach.call(document.querySelectorAll(".\(widgetClass)"), function (box) { render(box); });
            if (onload && typeof window[onload] === "function") window[onload]();
          }
          if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
        })();
        """
    }

    static let turnstileScript = widgetScript(name: "turnstile", widgetClass: "cf-turnstile", field: "cf-turnstile-response",
                                              token: turnstileDummyToken, failing: [turnstileFailSiteKey, "2x00000000000000000000BB"],
                                              testKeys: [turnstilePassSiteKey, "1x00000000000000000000BB", "3x00000000000000000000FF"])
    static let hcaptchaScript = widgetScript(name: "hcaptcha", widgetClass: "h-captcha", field: "h-captcha-response",
                                             token: hcaptchaTestToken, failing: [], testKeys: [hcaptchaTestSiteKey])
}
