import Foundation
import Vapor

/// RingOut: RingCentral first rings `from` (the user's own phone), then connects `to`. The
/// status moves on every `ringOutStepSeconds`: all InProgress → caller answered → final.
/// The final state depends on the `to` number, so tests can pick an outcome:
/// ending in `0000` → callee NoAnswer, `1111` → Busy, `2222` → Rejected, anything else → Success.
/// A finished RingOut is written to the call log (outbound, "RingOut Web").
extension RingCentralSandbox {
    func registerRingOut(on routes: any RoutesBuilder) {
        let ext = routes.grouped("restapi", "v1.0", "account", ":accountId", "extension", ":extensionId", "ring-out")
        ext.post { req in
            try await self.handle(req, "POST /restapi/v1.0/account/~/extension/~/ring-out", group: "Heavy") { self.placeRingOut($0) }
        }
        ext.get(":ringoutId") { req in
            try await self.handle(req, "GET /restapi/v1.0/account/~/extension/~/ring-out/{id}", group: "Light") { self.ringOutStatus($0) }
        }
        ext.delete(":ringoutId") { req in
            try await self.handle(req, "DELETE /restapi/v1.0/account/~/extension/~/ring-out/{id}", group: "Heavy") { self.cancelRingOut($0) }
        }
    }

    private func placeRingOut(_ req: Request) -> Response {
        guard let body = Self.object(req) else { return Self.error(.badRequest, "CMN-104", "Cannot parse request") }
        func number(_ key: String) -> String? { (body[key] as? [String: Any])?["phoneNumber"] as? String }
        guard let from = number("from") else { return Self.missing("from.phoneNumber") }
        guard Self.isE164(from) else { return Self.invalid("from.phoneNumber", from, "The number must be in E.164 format.") }
        guard let to = number("to") else { return Self.missing("to.phoneNumber") }
        guard Self.isE164(to) else { return Self.invalid("to.phoneNumber", to, "The number must be in E.164 format.") }
        let callerID = number("callerId")
        if let callerID {
            guard Self.isE164(callerID) else { return Self.invalid("callerId.phoneNumber", callerID, "The number must be in E.164 format.") }
            guard Self.number(callerID)?.features.contains("CallerId") == true else {
                return Self.invalid("callerId.phoneNumber", callerID,
                                    "The caller id must be one of the extension's phone numbers with the CallerId feature.")
            }
        }
        let ringOut = state.withLockedValue { state -> RingOut in
            let ringOut = RingOut(id: String(state.nextRingOutID), from: from, to: to, callerID: callerID,
                                  playPrompt: body["playPrompt"] as? Bool ?? false, created: Date(),
                                  callStatus: "InProgress", callerStatus: "InProgress", calleeStatus: "InProgress",
                                  cancelled: false, logged: false)
            state.nextRingOutID += 1
            state.ringOuts.append(ringOut)
            return ringOut
        }
        return Self.json(.ok, Self.json(ringOut, origin: Self.origin(req)))
    }

    private func ringOutStatus(_ req: Request) -> Response {
        let id = req.parameters.get("ringoutId") ?? ""
        let ringOut = state.withLockedValue { state -> RingOut? in
            state.settle(now: Date())
            return state.ringOuts.first { $0.id == id && !$0.cancelled }
        }
        guard let ringOut else { return Self.notFound("ringoutId") }
        return Self.json(.ok, Self.json(ringOut, origin: Self.origin(req)))
    }

    private func cancelRingOut(_ req: Request) -> Response {
        let id = req.parameters.get("ringoutId") ?? ""
        let cancelled = state.withLockedValue { state -> Bool in
            state.settle(now: Date())
            guard let index = state.ringOuts.firstIndex(where: { $0.id == id && !$0.cancelled }) else { return false }
            state.ringOuts[index].cancelled = true
            return true
        }
        return cancelled ? Response(status: .noContent) : Self.notFound("ringoutId")
    }

    static func json(_ ringOut: RingOut, origin: String) -> [String: Any] {
        [
            "id": ringOut.id,
            "uri": origin + extensionPath + "/ring-out/\(ringOut.id)",
            "status": ["callStatus": ringOut.callStatus, "callerStatus": ringOut.callerStatus, "calleeStatus": ringOut.calleeStatus],
        ]
    }

    /// The callee's final status for a `to` number (see the type's comment).
    static func ringOutOutcome(_ to: String) -> String {
        if to.hasSuffix("0000") { return "NoAnswer" }
        if to.hasSuffix("1111") { return "Busy" }
        if to.hasSuffix("2222") { return "Rejected" }
        return "Success"
    }
}

extension RingCentralSandbox.State {
    /// Brings time-driven things up to `now`: RingOut statuses (logging finished calls) and
    /// outbound SMS statuses. Run under the lock before anything reads them.
    mutating func settle(now: Date) {
        let ringStep = max(0.001, settings.ringOutStepSeconds)
        for index in ringOuts.indices where !ringOuts[index].cancelled && !ringOuts[index].logged {
            let steps = Int(now.timeIntervalSince(ringOuts[index].created) / ringStep)
            if steps >= 2 {
                let outcome = RingCentralSandbox.ringOutOutcome(ringOuts[index].to)
                ringOuts[index].callerStatus = "Success"
                ringOuts[index].calleeStatus = outcome
                ringOuts[index].callStatus = outcome
                ringOuts[index].logged = true
                let ringOut = ringOuts[index]
                let result = ["Success": "Call connected", "NoAnswer": "No Answer", "Busy": "Busy", "Rejected": "Rejected"][outcome] ?? "Unknown"
                insert(callRecord: RingCentralSandbox.CallRecord(
                    id: "", sessionID: "", telephonySessionID: "", startTime: ringOut.created,
                    duration: outcome == "Success" ? max(1, Int(2 * ringStep)) : 0, direction: "Outbound", action: "RingOut Web",
                    result: result, from: ringOut.callerID ?? RingCentralSandbox.directNumber, fromName: RingCentralSandbox.userName,
                    to: ringOut.to, toName: nil, recordingID: nil))
            } else if steps == 1 {
                ringOuts[index].callerStatus = "Success"
            }
        }
        let smsStep = max(0.001, settings.smsStepSeconds)
        for index in messages.indices where messages[index].direction == "Outbound" {
            let message = messages[index]
            guard message.messageStatus != message.finalStatus else { continue }
            let steps = Int(now.timeIntervalSince(message.creationTime) / smsStep)
            // A message that is not sent at all fails without passing through "Sent".
            let failsToSend = message.finalStatus == "SendingFailed"
            let status = steps >= 2 || (steps == 1 && failsToSend) ? message.finalStatus : steps == 1 ? "Sent" : "Queued"
            if status != message.messageStatus {
                messages[index].messageStatus = status
                messages[index].lastModifiedTime = message.creationTime.addingTimeInterval(Double(min(steps, 2)) * smsStep)
            }
        }
    }
}
