import Foundation
import Vapor

/// Control routes for shell scripts and benchmarks, under `/_sandbox/ringcentral`:
///
/// - `GET /` stats (plus counts of messages, ring-outs, call-log records and subscriptions)
/// - `POST /settings` a JSON `RingCentralSandboxSettings`; only the keys sent change
/// - `POST /switches` a JSON `SandboxSwitches` (replaces them, like SuiteDash's)
/// - `POST /reset-stats`, `POST /expire-tokens`, `POST /revoke-tokens`
/// - `POST /call-log/generate` `{count, endingAt?, spacing?, phoneNumbers?}`
/// - `POST /inbound-sms` `{from, to, text, deliveries?}`, `POST /inbound-call` `{from, to, result?, duration?, deliveries?}`
/// - `POST /redeliver` sends the last notification again
/// - `POST /authorize` `{redirect_uri, state?, code_challenge?}` → `{code, state, location}`: consent without a browser
/// - `POST /jwt` `{expiresIn?}` → `{jwt}`: a new JWT credential; `POST /jwt/revoke` `{jwt?}` revokes it (or, without one, all)
extension RingCentralSandbox {
    public func registerControls(on routes: any RoutesBuilder) {
        let control = routes.grouped("_sandbox", "ringcentral")
        control.get { _ in
            let (stats, counts) = self.state.withLockedValue { state -> (RingCentralSandboxStats, [String: Int]) in
                state.settle(now: Date())
                return (state.stats, ["messages": state.messages.count, "ringOuts": state.ringOuts.count,
                                      "callLogRecords": state.callLog.count, "subscriptions": state.subscriptions.count,
                                      "sessions": state.sessions.count])
            }
            var object = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(stats))) as? [String: Any] ?? [:]
            for (key, value) in counts { object[key] = value }
            return Self.json(.ok, object)
        }
        control.post("settings") { req -> Response in
            guard let changes = Self.object(req) else { return Self.json(.badRequest, ["error": "expected a JSON object"]) }
            var merged = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(self.settings))) as? [String: Any] ?? [:]
            for (key, value) in changes { merged[key] = value }
            self.settings = try JSONDecoder().decode(RingCentralSandboxSettings.self,
                                                     from: JSONSerialization.data(withJSONObject: merged))
            return Self.json(.ok, (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(self.settings))) ?? [:])
        }
        control.post("switches") { req -> Response in
            self.switches = try req.content.decode(SandboxSwitches.self)
            return Self.json(.ok, ["ok": true])
        }
        control.post("reset-stats") { _ in
            self.resetStats()
            return Self.json(.ok, ["ok": true])
        }
        control.post("expire-tokens") { _ in
            self.expireAccessTokens()
            return Self.json(.ok, ["ok": true])
        }
        control.post("revoke-tokens") { _ in
            self.revokeAllTokens()
            return Self.json(.ok, ["ok": true])
        }
        control.post("call-log", "generate") { req -> Response in
            let body = Self.object(req) ?? [:]
            let count = body["count"] as? Int ?? 0
            let endingAt = (body["endingAt"] as? String).flatMap(Self.parseDate) ?? Date()
            let spacing = (body["spacing"] as? NSNumber)?.doubleValue ?? 60
            self.generateCallLog(count: count, endingAt: endingAt, spacing: spacing, phoneNumbers: body["phoneNumbers"] as? [String] ?? [])
            return Self.json(.ok, ["ok": true, "count": count])
        }
        control.post("inbound-sms") { req -> Response in
            let body = Self.object(req) ?? [:]
            do {
                let message = try await self.simulateInboundSMS(from: body["from"] as? String ?? "", to: body["to"] as? String ?? Self.directNumber,
                                                                text: body["text"] as? String ?? "", deliveries: body["deliveries"] as? Int ?? 1)
                return Self.json(.ok, ["ok": true, "id": message.id])
            } catch {
                return Self.json(.badRequest, ["error": String(describing: error)])
            }
        }
        control.post("inbound-call") { req -> Response in
            let body = Self.object(req) ?? [:]
            do {
                let record = try await self.simulateInboundCall(from: body["from"] as? String ?? "", to: body["to"] as? String ?? Self.directNumber,
                                                                result: body["result"] as? String ?? "Missed",
                                                                duration: body["duration"] as? Int ?? 0, deliveries: body["deliveries"] as? Int ?? 1)
                return Self.json(.ok, ["ok": true, "id": record.id, "telephonySessionId": record.telephonySessionID])
            } catch {
                return Self.json(.badRequest, ["error": String(describing: error)])
            }
        }
        control.post("redeliver") { _ -> Response in
            await self.redeliverLastNotification()
            return Self.json(.ok, ["ok": true])
        }
        control.post("jwt") { req -> Response in
            let expiresIn = ((Self.object(req) ?? [:])["expiresIn"] as? NSNumber)?.doubleValue
            return Self.json(.ok, ["jwt": self.issueJWTCredential(expiresIn: expiresIn)])
        }
        control.post("jwt", "revoke") { req -> Response in
            self.revokeJWTCredential((Self.object(req) ?? [:])["jwt"] as? String)
            return Self.json(.ok, ["ok": true])
        }
        control.post("authorize") { req -> Response in
            let body = Self.object(req) ?? [:]
            guard let redirectURI = (body["redirect_uri"] ?? body["redirectURI"]) as? String, !redirectURI.isEmpty else {
                return Self.json(.badRequest, ["error": "redirect_uri is required"])
            }
            let challenge = (body["code_challenge"] ?? body["codeChallenge"]) as? String
            let code = self.issueAuthorizationCode(redirectURI: redirectURI, codeChallenge: challenge,
                                                   codeChallengeMethod: challenge == nil ? nil : "S256")
            let state = body["state"] as? String
            let location = Self.redirect(redirectURI, ["code": code, "state": state]).headers.first(name: .location) ?? ""
            var answer: [String: Any] = ["code": code, "location": location]
            if let state { answer["state"] = state }
            return Self.json(.ok, answer)
        }
    }
}
