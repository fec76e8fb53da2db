import Fluent
import RingCentralKit
import Foundation
import SQLKit
import Vapor

/// `POST /api/webhooks/ringcentral`: the Validation-Token handshake, then notifications
/// checked against the verification token in constant time, each stored once by uuid.
///
/// Only an empty-bodied request is the bare handshake. RingCentral's guide says a
/// `Validation-Token` header comes "whenever a webhook is sent", so a request with a body is a
/// notification whatever headers it carries: it is verified and processed, and the header is
/// echoed all the same.
struct RingCentralWebhookController {
    static let maxBodyBytes = 256 * 1024

    struct Notification: Decodable {
        let uuid: String
        let event: String
        let timestamp: String?
        let subscriptionId: String?
        let body: RedactedJSON.Value?
    }

    @Sendable func receive(req: Request) async throws -> Response {
        // Its own limit, before any work: the endpoint is public by nature.
        let services = req.services
        let decision = await services.webhookLimiter.hit(ClientAddress.limitKey(req.clientIP(config: services.config)), now: services.clock.now())
        guard decision.allowed else {
            throw Abort(.tooManyRequests, headers: ["Retry-After": String(decision.retryAfter)],
                        reason: "Too many webhook requests from this address; try again in \(decision.retryAfter) s.")
        }
        var echo: HTTPHeaders = [:]
        if let validation = req.headers.first(name: "Validation-Token") {
            guard validation.count <= 512, validation.allSatisfy({ $0.isASCII && !$0.isNewline }) else {
                throw Abort(.badRequest, reason: "The Validation-Token header is not a token.")
            }
            echo.add(name: "Validation-Token", value: validation)
            // The handshake: RingCentral checks the address answers before it subscribes it, and
            // refuses an answer over 1,024 bytes, headers included (SUB-525): nothing but the echo,
            // typed as JSON as RingCentral's own samples answer it.
            if (req.body.data?.readableBytes ?? 0) == 0 {
                echo.contentType = .json
                return Response(status: .ok, headers: echo)
            }
        }
        guard let expected = try await req.services.ringCentral.subscriptions.verificationToken(create: false) else {
            throw Abort(.unauthorized, reason: "RingCentral webhooks are not set up here: set RINGCENTRAL_WEBHOOK_SECRET or create the subscription in the admin.")
        }
        guard let provided = req.headers.first(name: "Verification-Token") else {
            throw Abort(.unauthorized, reason: "The Verification-Token header is missing.")
        }
        guard SecureToken.constantTimeEquals(provided, expected) else {
            throw Abort(.forbidden, reason: "The Verification-Token does not match this server's webhook secret.")
        }
        guard let buffer = req.body.data, buffer.readableBytes > 0 else {
            throw Abort(.badRequest, reason: "The notification has no body.")
        }
        let notification: Notification
        do {
            notification = try JSONDecoder().decode(Notification.self, from: buffer)
        } catch {
            throw Abort(.badRequest, reason: "The notification is not RingCentral's JSON (uuid, event, body).")
        }
        // Lengths in code points, as the varchar columns count them.
        guard !notification.uuid.isEmpty, notification.uuid.unicodeScalars.count <= 255, notification.event.unicodeScalars.count <= 500,
              (notification.subscriptionId?.unicodeScalars.count ?? 0) <= 255 else {
            throw Abort(.badRequest, reason: "The notification's uuid or event is missing or too long.")
        }
        // A recorded notification replayed later (by whoever saw it once) is refused by its age.
        try Self.checkFreshness(notification.timestamp, now: services.clock.now(),
                                maxAge: TimeInterval(services.config.ringCentral.webhookMaxAgeSeconds))
        let stored = try await RingCentralWebhookHandler(app: req.application).handle(notification, now: req.services.clock.now())
        echo.add(name: "Content-Type", value: "application/json")
        return Response(status: .ok, headers: echo, body: .init(string: stored ? #"{"stored":true}"# : #"{"duplicate":true}"#))
    }
}

extension RingCentralWebhookController {
    /// RingCentral's `timestamp` (ISO 8601, with or without fractions of a second) must be
    /// within `maxAge` of now, either way (clocks differ a little; a notification from the future
    /// is as suspicious as an old one).
    static func checkFreshness(_ timestamp: String?, now: Date, maxAge: TimeInterval) throws {
        guard let timestamp, let sent = RingCentralDate.parse(timestamp) else {
            throw Abort(.badRequest, reason: "The notification has no readable timestamp.")
        }
        guard abs(now.timeIntervalSince(sent)) <= maxAge else {
            throw Abort(.badRequest, reason: "The notification is from \(timestamp), more than \(Int(maxAge)) s from now: refused as a possible replay.")
        }
    }
}

/// What a verified notification does, in one transaction with its `webhook_events` row: an
/// inbound SMS is stored and linked to the enquiry by phone; a telephony event queues an
/// incremental call-log sync.
struct RingCentralWebhookHandler {
    let app: Application

    /// False when this uuid was seen before (RingCentral delivers at least once).
    func handle(_ notification: RingCentralWebhookController.Notification, now: Date) async throws -> Bool {
        let queue = app.services.jobQueue
        let stored = try await app.db.transaction { tx in
            let sql = try tx.sql()
            let inserted = try await sql.insert(into: "webhook_events")
                .columns("provider", "uuid", "event", "subscription_id", "payload", "received_at", "processed_at")
                .values(SQLBind("ringcentral"), SQLBind(notification.uuid), SQLBind(notification.event),
                        SQLBind(notification.subscriptionId), SQLBind(RedactedJSON(Redactor.redact(notification.body ?? .null))),
                        SQLBind(now), SQLBind(now))
                .ignoringConflicts(with: ["provider", "uuid"])
                .returning("id").all()
            guard !inserted.isEmpty else { return false }
            if notification.event.contains("/message-store/instant") {
                try await storeInboundSMS(notification.body, receivedAt: now, on: tx)
            } else if notification.event.contains("/telephony/sessions") {
                try await SyncRingCentralCallLogs.request(queue: app.services.jobQueue, on: tx, delay: 10)
                try await textBackMissedCalls(notification.body, receivedAt: now, on: tx)
            }
            return true
        }
        // A missed-call text may be queued: a worker can take it now.
        if stored { queue.wakeup?.signal() }
        return stored
    }

    /// The spec's `TelephonySessionsEventPartyInfo.missedCall` on an inbound party: the caller
    /// gets the missed-call text, once per call (keyed by the telephony session).
    private func textBackMissedCalls(_ body: RedactedJSON.Value?, receivedAt now: Date, on db: any Database) async throws {
        guard case .object(let session) = body, case .array(let parties)? = session["parties"] else { return }
        var sessionID = ""
        if case .string(let id)? = session["telephonySessionId"] { sessionID = String(id.prefix(200)) }
        guard !sessionID.isEmpty else { return }
        for party in parties {
            guard case .object(let info) = party, case .bool(true)? = info["missedCall"],
                  case .string(let direction)? = info["direction"], direction == "Inbound",
                  case .string(let from)? = Self.field(info["from"], "phoneNumber") else { continue }
            _ = try await app.services.speedToLead.planMissedCall(from: from, callKey: sessionID, at: now, on: db)
        }
    }

    private func storeInboundSMS(_ body: RedactedJSON.Value?, receivedAt now: Date, on db: any Database) async throws {
        guard case .object(let message) = body, case .string(let from)? = Self.field(message["from"], "phoneNumber") else { return }
        var id: String?
        if case .string(let text)? = message["id"] { id = String(String.UnicodeScalarView(text.unicodeScalars.prefix(255))) }
        if case .number(let number)? = message["id"], let whole = Int64(exactly: number) { id = String(whole) }
        var to = ""
        if case .array(let recipients)? = message["to"], let first = recipients.first,
           case .string(let number)? = Self.field(first, "phoneNumber") { to = number }
        var text = ""
        if case .string(let subject)? = message["subject"] { text = String(String.UnicodeScalarView(subject.unicodeScalars.prefix(5000))) }
        let sql = try db.sql()
        let enquiry = try await EnquiryPhoneIndex.enquiry(for: from, on: db)
        // The same message can arrive in two notifications; its RingCentral id keeps one row.
        // The sender is kept in E.164 where it is one, so a later enquiry can claim the text.
        try await sql.insert(into: "sms_messages")
            .columns("ringcentral_id", "contact_submission_id", "direction", "from_number", "to_number", "text", "status",
                     "sent_at", "created_at", "updated_at")
            .values(SQLBind(id), SQLBind(enquiry), SQLBind("inbound"), SQLBind(String(String.UnicodeScalarView((PhoneNumber.e164(from) ?? from).unicodeScalars.prefix(50)))),
                    SQLBind(String(String.UnicodeScalarView(to.unicodeScalars.prefix(50)))),
                    SQLBind(text), SQLBind("Received"), SQLBind(now), SQLBind(now), SQLBind(now))
            .ignoringConflicts(with: ["ringcentral_id"])
            .run()
        // STOP (or START) as the whole text: the number leaves (or rejoins) the list of those
        // never texted automatically; START is welcomed back.
        // HELP (or INFO) as the whole text: the help reply, once for that text.
        if let sender = PhoneNumber.e164(from), let keyword = DoNotText.keyword(in: text) {
            let speedToLead = app.services.speedToLead
            switch keyword {
            case .stop(let word): try await speedToLead.doNotText.optOut(sender, keyword: word, at: now, on: db)
            case .start: try await speedToLead.doNotText.optIn(sender, on: db)
            case .help: break
            }
            _ = try await speedToLead.planKeywordReply(keyword, from: sender, messageKey: id ?? UUID().uuidString, at: now, on: db)
        }
    }

    private static func field(_ value: RedactedJSON.Value?, _ key: String) -> RedactedJSON.Value? {
        guard case .object(let object)? = value else { return nil }
        return object[key]
    }
}
