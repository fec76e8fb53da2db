import Foundation
import Vapor

/// SMS through the API and the message store. An outbound message moves Queued → Sent →
/// Delivered, one step every `smsStepSeconds`; a recipient number ending in `9999` makes it end
/// in `DeliveryFailed` instead. `from` must be one of the extension's numbers with `SmsSender`.
extension RingCentralSandbox {
    /// In UTF-16 code units, as the spec's `CreateSMSMessage.text` counts: "Max length is 1000
    /// symbols (2-byte UTF-16 encoded). If a character is encoded in 4 bytes in UTF-16 it is
    /// treated as 2 characters".
    static let maxSMSLength = 1000

    /// RingCentral's documented keywords ("Handling Opt-in / Opt-out requests for High Volume SMS",
    /// and "Messaging Consent Management", which manages them per pair of sender and recipient).
    static let optOutKeywords: Set<String> = ["STOP", "UNSUBSCRIBE", "QUIT", "CANCEL", "END"]
    static let optInKeywords: Set<String> = ["START", "SUBSCRIBE", "RESUME", "CONTINUE", "UNSTOP"]

    func registerSMS(on routes: any RoutesBuilder) {
        let ext = routes.grouped("restapi", "v1.0", "account", ":accountId", "extension", ":extensionId")
        ext.post("sms") { req in
            try await self.handle(req, "POST /restapi/v1.0/account/~/extension/~/sms", group: "Medium") { self.sendSMS($0) }
        }
        ext.get("message-store", ":messageId") { req in
            try await self.handle(req, "GET /restapi/v1.0/account/~/extension/~/message-store/{id}", group: "Light") { self.readMessage($0) }
        }
    }

    private func sendSMS(_ req: Request) -> Response {
        guard let body = Self.object(req) else { return Self.error(.badRequest, "CMN-104", "Cannot parse request") }
        guard let from = (body["from"] as? [String: Any])?["phoneNumber"] as? String else { return Self.missing("from.phoneNumber") }
        guard Self.isE164(from) else { return Self.invalid("from.phoneNumber", from, "The number must be in E.164 format.") }
        let recipients = (body["to"] as? [[String: Any]])?.compactMap { $0["phoneNumber"] as? String } ?? []
        guard !recipients.isEmpty else { return Self.missing("to.phoneNumber") }
        for (index, to) in recipients.enumerated() where !Self.isE164(to) {
            return Self.invalid("to[\(index)].phoneNumber", to, "The number must be in E.164 format.")
        }
        guard let text = body["text"] as? String, !text.isEmpty else { return Self.missing("text") }
        guard text.utf16.count <= Self.maxSMSLength else {
            return Self.invalid("text", nil, "The text must be at most \(Self.maxSMSLength) characters (UTF-16 code units).")
        }
        guard let number = Self.number(from) else {
            return Self.invalid("from.phoneNumber", from, "Cannot find the phone number which belongs to user.")
        }
        guard number.features.contains("SmsSender") else {
            return Self.error(.badRequest, "MSG-304", "Phone number doesn't have SMS capability", parameterName: "from.phoneNumber",
                              parameterValue: from)
        }
        let failed = recipients.contains { $0.hasSuffix("9999") }
        let message = state.withLockedValue { state in
            // RingCentral keeps opt-outs per pair of numbers and does not deliver to an opted-out
            // recipient. Whether the API refuses or the message fails is not published; the safer
            // guess for a client is the one it cannot see at once: accepted, then SendingFailed.
            let optedOut = recipients.contains { state.optedOut.contains(from + ">" + $0) }
            return state.store(direction: "Outbound", from: from, to: recipients, text: text, status: "Queued",
                               finalStatus: optedOut ? "SendingFailed" : failed ? "DeliveryFailed" : "Delivered")
        }
        return Self.json(.ok, Self.json(message, origin: Self.origin(req)))
    }

    private func readMessage(_ req: Request) -> Response {
        let id = Int(req.parameters.get("messageId") ?? "")
        let message = state.withLockedValue { state -> Message? in
            state.settle(now: Date())
            return state.messages.first { $0.id == id }
        }
        guard let message else { return Self.notFound("messageId") }
        return Self.json(.ok, Self.json(message, origin: Self.origin(req)))
    }

    /// The message-store record (`GetSMSMessageInfoResponse` / `GetMessageInfoResponse`).
    static func json(_ message: Message, origin: String) -> [String: Any] {
        let uri = origin + extensionPath + "/message-store/\(message.id)"
        let outbound = message.direction == "Outbound"
        var object: [String: Any] = [
            "uri": uri,
            "id": message.id,
            "to": message.to.map { number -> [String: Any] in
                var recipient: [String: Any] = ["phoneNumber": number]
                if outbound { recipient["messageStatus"] = message.messageStatus } else { recipient["name"] = userName }
                return recipient
            },
            "from": outbound ? ["phoneNumber": message.from, "name": userName, "location": "Palo Alto, CA"] : ["phoneNumber": message.from],
            "type": "SMS",
            "creationTime": timestamp(message.creationTime),
            "readStatus": outbound ? "Read" : "Unread",
            "priority": "Normal",
            "attachments": [["id": message.id, "uri": uri + "/content/\(message.id)", "type": "Text", "contentType": "text/plain"]],
            "direction": message.direction,
            "availability": "Alive",
            "subject": message.text,
            "messageStatus": message.messageStatus,
            "conversationId": message.conversationID,
            "conversation": ["id": String(message.conversationID),
                             "uri": origin + "/restapi/v1.0/conversation/\(message.conversationID)"],
            "lastModifiedTime": timestamp(message.lastModifiedTime),
        ]
        // A failed text says why ("SMS only", the spec's GetMessageInfoResponse.deliveryErrorCode):
        // SMS-RC-413 for an opted-out recipient, as RingCentral's SMS errors guide shows it; an
        // unreachable number (a landline, say) as the upstream's SMS-UP-410, one of the
        // invalid-or-unavailable codes that guide lists.
        if outbound, message.messageStatus == "SendingFailed" { object["deliveryErrorCode"] = "SMS-RC-413" }
        if outbound, message.messageStatus == "DeliveryFailed" { object["deliveryErrorCode"] = "SMS-UP-410" }
        if outbound {
            object["smsSendingAttemptsCount"] = 1
            if message.messageStatus == "Delivered" { object["smsDeliveryTime"] = timestamp(message.lastModifiedTime) }
        }
        return object
    }
}

extension RingCentralSandbox.State {
    /// One conversation per other party, as RingCentral threads them.
    mutating func store(direction: String, from: String, to: [String], text: String, status: String,
                        finalStatus: String) -> RingCentralSandbox.Message {
        let other = direction == "Outbound" ? (to.first ?? "") : from
        var hash: UInt64 = 1_469_598_103_934_665_603  // FNV-1a: stable across runs, unlike hashValue
        for byte in other.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        let now = Date()
        let message = RingCentralSandbox.Message(
            id: nextMessageID, direction: direction, from: from, to: to, text: text, creationTime: now, lastModifiedTime: now,
            messageStatus: status, conversationID: 5_000_000_000_000 + Int(hash % 1_000_000_000_000), finalStatus: finalStatus)
        nextMessageID += 1
        messages.append(message)
        return message
    }
}
