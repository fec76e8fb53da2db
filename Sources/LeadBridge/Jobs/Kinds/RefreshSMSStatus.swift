import Fluent
import Foundation
import RingCentralKit

/// Follows a sent text until RingCentral reports a final status (Delivered, DeliveryFailed,
/// SendingFailed), polling less often as it goes.
struct RefreshSMSStatus: JobKind {
    struct Payload: Codable, Sendable { let messageID: Int }
    static let name = "ringcentral.refresh-sms-status"
    static let maxAttempts = 12

    let ringCentral: RingCentralService
    let doNotText: DoNotText
    let clock: AppClock

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let row = try await SMSMessage.find(payload.messageID, on: context.db), !row.isFinal,
              let ringCentralID = row.ringCentralID else { return }
        do {
            let client = try await ringCentral
                .client(relatedType: IntegrationLog.aboutEnquiry, relatedID: row.$enquiry.id)
            let message = try await client.message(id: ringCentralID)
            if let status = message.messageStatus, status != row.status {
                row.status = status
                if let code = message.deliveryErrorCode, !code.isEmpty {
                    row.error = String(SMSDeliveryError.explain(code).prefix(500))
                    // RingCentral's word that the recipient opted out: never texted automatically again.
                    if code.uppercased() == SMSDeliveryError.optedOut, let number = PhoneNumber.e164(row.toNumber) {
                        try await doNotText.optOut(number, keyword: code, at: clock.now(), on: context.db)
                    }
                }
                try await row.save(on: context.db)
            }
            // Some carriers never confirm delivery: after the last look, "Sent" is the answer.
            guard row.isFinal || context.attempt >= Self.maxAttempts else {
                // Not final yet: look again later, further apart each time.
                throw JobFailure.retryAfter(min(300, 2 * pow(2, Double(context.attempt))), "SMS \(ringCentralID) is still \(row.status)")
            }
        } catch let error as RingCentralError {
            throw JobFailure.from(error)
        }
    }
}
