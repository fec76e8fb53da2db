import Foundation

/// The durable job behind every SuiteDash sync: one per enquiry at a time (`uniqueKey`), retried
/// with backoff, held while SuiteDash cannot be used. What a sync does is `EnquirySync`'s.
struct SyncEnquiryToSuiteDash: JobKind {
    struct Payload: Codable, Sendable {
        let enquiryID: Int
        /// Queued by an admin's Sync now: may spend the budget's reserve, and skips the ceiling.
        var manual: Bool? = nil
        /// Queued jobs already in the table spell the key as it was first written.
        enum CodingKeys: String, CodingKey { case enquiryID = "submissionID", manual }
    }
    static let name = "suitedash.sync-enquiry"
    static let maxAttempts = 10
    /// Jobs held back because SuiteDash cannot be used resume under this name.
    static let waitKey = "suitedash"
    /// Held for an admin's choice between two contacts; only Sync now (after the choice) moves it on.
    static let conflictWaitKey = "suitedash-conflict"
    /// A phone-only lead SuiteDash refused; only Sync now moves it on.
    static let phoneOnlyWaitKey = "suitedash-phone-only"
    /// A phone whose contact may have been created without LeadBridge learning it: an admin decides.
    static let uncertainWaitKey = "suitedash-uncertain"

    static func uniqueKey(_ enquiryID: Int) -> String { "suitedash-sync:\(enquiryID)" }

    /// Handed in where the kind is registered.
    let sync: EnquirySync

    func run(_ payload: Payload, context: JobContext) async throws {
        try await sync.sync(payload.enquiryID, manual: payload.manual == true,
                            attempt: .init(holder: "job-\(context.jobID)", isLast: context.attempt >= Self.maxAttempts))
    }
}
