import Fluent
import Foundation
import RingCentralKit

/// Sends one automatic text to one number at most once, whatever happens to the worker: the
/// `sms_messages` row is written before RingCentral is asked, so a retry finds it and does not
/// ask again. A definite refusal leaves it "SendingFailed" and may be tried again; an answer
/// that never came (a timeout after the request went out) leaves the outcome unknown, and the
/// text is not sent a second time.
struct AutomaticSMS {
    enum Outcome: Equatable { case sent, alreadySent, uncertain }

    /// A worker waits this long at most for a slot in RingCentral's SMS rate-limit group before
    /// the job is retried after the time left: texts are paced, never burst.
    static let pacing: RingCentralClientOptions = {
        var options = RingCentralClientOptions()
        options.maxPacingWait = 30
        return options
    }()

    let service: RingCentralService

    func send(_ text: String, to number: String, for automatic: AutomaticText, from chosen: String?) async throws -> Outcome {
        let db = try service.context.db
        if let earlier = try await SMSMessage.query(on: db).filter(\.$automaticTextID == automatic.id)
            .filter(\.$toNumber == number).filter(\.$status != "SendingFailed").first() {
            return earlier.status == "Sending" ? .uncertain : .alreadySent
        }
        guard try await SpeedToLeadService.ringCentralConnected(on: db) else { throw RingCentralError.notConnected }
        let snapshot = try await RingCentralAccountRecord.query(on: db).first()?.primaryExtension
        let from = try RingCentralMessaging.smsSender(chosen: chosen, snapshot: snapshot)

        let row = SMSMessage()
        row.direction = .outbound
        row.fromNumber = from
        row.toNumber = number
        row.text = text
        row.status = "Sending"
        row.kind = automatic.kind.rawValue
        row.automaticTextID = automatic.id
        row.$enquiry.id = automatic.kind.isToLead ? automatic.$enquiry.id : nil
        try await row.create(on: db)
        let sent: RingCentralMessage
        do {
            let client = try await service.client(options: Self.pacing, relatedType: "contact_submission", relatedID: automatic.$enquiry.id)
            sent = try await client.sendSMS(from: from, to: number, text: text)
        } catch let error as RingCentralError {
            if Self.mayHaveBeenSent(error) {
                row.error = "RingCentral did not answer (\(error.description)); the text may have gone, so it is not sent again."
                try await row.save(on: db)
                return .uncertain
            }
            row.status = "SendingFailed"
            row.error = RingCentralMessaging.explain(error)
            try await row.save(on: db)
            throw error
        }
        row.ringCentralID = String(sent.id)
        row.status = sent.messageStatus ?? "Queued"
        row.sentAt = service.context.clock.now()
        try await db.transaction { tx in
            try await row.save(on: tx)
            if !row.isFinal, let id = row.id {
                try await service.context.jobQueue.enqueue(RefreshSMSStatus.self, .init(messageID: id), on: tx, delay: 2)
            }
        }
        return .sent
    }

    /// True when the request may have reached RingCentral although no answer was read: a
    /// timeout or a dropped connection after sending, or an answer that could not be read. A
    /// refused connection, a rate limit, a refusal or a missing connection mean it was not sent.
    static func mayHaveBeenSent(_ error: RingCentralError) -> Bool {
        switch error {
        case .transport(let message):
            let text = message.lowercased()
            return !["refused", "connecttimeout", "nioconnectionerror", "dns", "nosuchhost", "unreachable"].contains { text.contains($0) }
        case .unexpectedResponse: return true
        default: return false
        }
    }
}
