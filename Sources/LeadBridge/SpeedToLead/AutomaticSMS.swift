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
        let messaging = RingCentralMessaging(service: service)
        let snapshot: RingCentralExtensionSnapshot?
        do {
            snapshot = try await messaging.connectedExtension()
        } catch RingCentralMessaging.Failure.notConnected {
            // Disconnected since it was queued: the job waits for a reconnect, like every RingCentral job.
            throw RingCentralError.notConnected
        }
        let from = try RingCentralMessaging.smsSender(chosen: chosen, snapshot: snapshot)
        let row = try await messaging.storeOutgoing(from: from, to: number, text: text,
                                                    enquiryID: automatic.kind.isToLead ? automatic.$enquiry.id : nil) {
            $0.kind = automatic.kind.rawValue
            $0.automaticTextID = automatic.id
        }
        let sent: RingCentralMessage
        do {
            let client = try await service.client(options: Self.pacing, relatedType: IntegrationLog.aboutEnquiry, relatedID: automatic.$enquiry.id)
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
        try await messaging.recordAccepted(row, sent)
        return .sent
    }

    /// True when the request may have reached RingCentral although no answer was read (see
    /// `UnansweredRequest`), or the answer could not be read. A rate limit, a refusal or a
    /// missing connection mean it was not sent.
    static func mayHaveBeenSent(_ error: RingCentralError) -> Bool {
        switch error {
        case .transport(let message): return UnansweredRequest.mayHaveReachedProvider(message)
        case .unexpectedResponse: return true
        default: return false
        }
    }
}
