import AsyncHTTPClient
import Foundation
import NIOCore
import Vapor

/// Simulated events and their webhook notifications: `{"uuid","event","timestamp",
/// "subscriptionId","ownerId","body"}` POSTed to every Active subscription whose filters match,
/// with the subscription's `Verification-Token` and `Validation-Token`. A notification can be sent more than once (as
/// RingCentral sometimes does) so receivers can prove they de-duplicate by `uuid` or body id.
extension RingCentralSandbox {
    public enum SimulationError: Error, Equatable {
        case invalidNumber(String)
        case emptyText
    }

    /// An SMS arrives for the user: it lands in the message store ("Inbound", "Received") and each
    /// matching subscription is notified `deliveries` times (same uuid each time).
    @discardableResult
    public func simulateInboundSMS(from: String, to: String, text: String, deliveries: Int = 1) async throws -> Message {
        for number in [from, to] where !Self.isE164(number) { throw SimulationError.invalidNumber(number) }
        guard !text.isEmpty else { throw SimulationError.emptyText }
        let keyword = text.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        let (message, origin) = state.withLockedValue { state in
            if Self.optOutKeywords.contains(keyword) { state.optedOut.insert(to + ">" + from) }
            if Self.optInKeywords.contains(keyword) { state.optedOut.remove(to + ">" + from) }
            return (state.store(direction: "Inbound", from: from, to: [to], text: text, status: "Received", finalStatus: "Received"), state.origin)
        }
        let body: [String: Any] = [
            "id": String(message.id),
            "to": [["phoneNumber": to, "name": Self.userName, "location": "Palo Alto, CA", "target": true]],
            "from": ["phoneNumber": from],
            "type": "SMS",
            "creationTime": Self.timestamp(message.creationTime),
            "lastModifiedTime": Self.timestamp(message.lastModifiedTime),
            "readStatus": "Unread",
            "priority": "Normal",
            "attachments": [["id": message.id, "type": "Text", "contentType": "text/plain",
                             "uri": origin + Self.extensionPath + "/message-store/\(message.id)/content/\(message.id)"]],
            "direction": "Inbound",
            "availability": "Alive",
            "subject": text,
            "messageStatus": "Received",
            "conversationId": String(message.conversationID),
            "conversation": ["id": String(message.conversationID), "uri": origin + "/restapi/v1.0/conversation/\(message.conversationID)"],
            "ownerId": Self.extensionID,
        ]
        await notify(paths: [Self.instantSMSPath], body: body, deliveries: deliveries)
        return message
    }

    /// A call reaches the user and ends (missed unless `result` says otherwise): a call-log record
    /// and a telephony-session notification with the party "Disconnected".
    @discardableResult
    public func simulateInboundCall(from: String, to: String, result: String = "Missed", duration: Int = 0,
                                    deliveries: Int = 1) async throws -> CallRecord {
        for number in [from, to] where !Self.isE164(number) { throw SimulationError.invalidNumber(number) }
        let record = addCallLogRecord(direction: "Inbound", from: from, to: to,
                                      startTime: Date().addingTimeInterval(-Double(duration)), duration: duration, result: result)
        // The user's own call: to the extension's subscriptions and the account's.
        await notify(paths: [Self.telephonyPath, Self.accountTelephonyPath],
                     body: Self.telephonySessionBody(record, to: to, extensionID: Self.extensionID, name: Self.userName, missed: result == "Missed"),
                     deliveries: deliveries)
        return record
    }

    /// A call to a colleague (extension 102) that ends missed unless `result` says otherwise: in
    /// the company call log, and notified only to subscriptions with the account-level filter.
    @discardableResult
    public func simulateColleagueCall(from: String, result: String = "Missed", deliveries: Int = 1) async throws -> CallRecord {
        guard Self.isE164(from) else { throw SimulationError.invalidNumber(from) }
        let record = addColleagueCallLogRecord(from: from, result: result)
        await notify(paths: [Self.accountTelephonyPath],
                     body: Self.telephonySessionBody(record, to: Self.colleagueNumber, extensionID: Self.colleagueExtensionID,
                                                     name: Self.colleagueName, missed: result == "Missed"),
                     deliveries: deliveries)
        return record
    }

    private static func telephonySessionBody(_ record: CallRecord, to: String, extensionID: String, name: String, missed: Bool) -> [String: Any] {
        let from = record.from
        return [
            "sequence": 1,
            "sessionId": record.sessionID,
            "telephonySessionId": record.telephonySessionID,
            "serverId": "10.13.22.241.TAM",
            "eventTime": Self.timestamp(Date()),
            "origin": ["type": "Call"],
            "parties": [[
                "accountId": Self.accountID,
                "extensionId": extensionID,
                "id": "p-" + record.telephonySessionID.dropFirst(2) + "-1",
                "direction": "Inbound",
                "to": ["phoneNumber": to, "name": name, "extensionId": extensionID],
                "from": ["phoneNumber": from],
                "status": ["code": "Disconnected", "rcc": false],
                "missedCall": missed,
                "standAlone": false,
                "muted": false,
            ] as [String: Any]],
        ]
    }

    /// Sends the last notification again, to the same subscriptions (if still active), unchanged.
    public func redeliverLastNotification() async {
        guard let last = state.withLockedValue({ $0.lastNotification }) else { return }
        let targets = state.withLockedValue { state in
            state.subscriptions.filter { last.subscriptionIDs.contains($0.id) && $0.status == "Active" && $0.expirationTime > Date() }
        }
        for subscription in targets {
            if let payload = last.payloads[subscription.id] { await post(payload, to: subscription) }
        }
    }

    /// Each matching subscription is notified once per delivery, for the first of `paths` its filters name.
    private func notify(paths: [String], body: [String: Any], deliveries: Int) async {
        let now = Date()
        let targets = state.withLockedValue { state -> [(Subscription, String)] in
            state.purgeExpiredSubscriptions(now: now)
            return state.subscriptions.compactMap { subscription in
                guard subscription.status == "Active",
                      let filter = subscription.eventFilters.first(where: { filter in
                          paths.contains { $0 == filter.split(separator: "?").first.map(String.init) }
                      }),
                      !subscription.disabledFilters.contains(where: { $0.filter == filter })
                else { return nil }
                return (subscription, filter)
            }
        }
        var payloads: [String: Data] = [:]
        let uuid = UUID().uuidString.lowercased()
        for (subscription, filter) in targets {
            let envelope: [String: Any] = ["uuid": uuid, "event": filter, "timestamp": Self.timestamp(now),
                                           "subscriptionId": subscription.id, "ownerId": Self.extensionID, "body": body]
            payloads[subscription.id] = (try? JSONSerialization.data(withJSONObject: envelope)) ?? Data()
        }
        state.withLockedValue { $0.lastNotification = Notification(subscriptionIDs: targets.map(\.0.id), payloads: payloads) }
        for _ in 0..<max(1, deliveries) {
            for (subscription, _) in targets {
                if let payload = payloads[subscription.id] { await post(payload, to: subscription) }
            }
        }
    }

    private func post(_ payload: Data, to subscription: Subscription) async {
        var request = HTTPClientRequest(url: subscription.address)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        if let token = subscription.verificationToken { request.headers.add(name: "Verification-Token", value: token) }
        request.headers.add(name: "Validation-Token", value: subscription.validationToken)
        request.body = .bytes(ByteBuffer(bytes: payload))
        var delivered = false
        if let response = try? await HTTPClient.shared.execute(request, timeout: Self.webhookTimeout) {
            _ = try? await response.body.collect(upTo: 64 * 1024)
            delivered = (200..<300).contains(response.status.code)
        }
        state.withLockedValue { state in
            if delivered { state.stats.notificationsDelivered += 1 } else { state.stats.notificationsFailed += 1 }
        }
    }
}
