import Fluent
import Foundation

extension EnquirySync {
    /// Why an admin sends an enquiry to SuiteDash again. Each reason writes what it settles in
    /// the same transaction as the new job, so a choice is never saved without its sync, nor a
    /// sync queued on a choice that was not saved.
    enum Again: Sendable {
        /// Sync now: a failed enquiry goes back to pending.
        case asked(Enquiry)
        /// The admin chose which contact an enquiry held between two joins (or whether a
        /// phone-only contact gains the typed email).
        case contactChosen(SuiteDashContactConflict)
        /// The answer to "is this lead in SuiteDash already?": the contact's uid, or nil for not there.
        case uncertainCreateAnswered(phone: String, uid: String?)
        /// The enquiry was corrected (the caller saved it in this transaction).
        case edited
    }

    /// The sentence for a request to sync when syncing is not set up.
    static let notSetUp = "SuiteDash API mode is off or has no keys; set it up under Integrations > SuiteDash first."

    /// Whether API mode is on with keys, so an admin's sync can go.
    func canSync(on db: any Database) async throws -> Bool {
        try await suiteDash.settings(on: db).load().syncsAutomatically
    }

    /// An admin's Sync now, for `reason`, inside the caller's transaction `tx`: replaces any
    /// waiting automatic job for the enquiry, may spend the budget's reserve, skips the ceiling.
    func sendAgain(_ id: Int, because reason: Again, on tx: any Database) async throws {
        switch reason {
        case .asked(let enquiry):
            if enquiry.status == .failed {
                enquiry.status = .pending
                enquiry.syncError = nil
                try await enquiry.save(on: tx)
            }
        case .contactChosen(let conflict):
            try await conflict.save(on: tx, now: context.clock.now())
        case .uncertainCreateAnswered(let phone, let uid):
            let map = SuiteDashContactMap(database: tx)
            if let uid { try await map.remember(uid: uid, email: nil, phone: phone, now: context.clock.now()) } else { try await map.clearCreating(phone: phone) }
        case .edited:
            break
        }
        try await suiteDash.queueManualSync(id, on: tx)
        // Other enquiries from the phone held on the same question look again (any still unsure waits again).
        if case .uncertainCreateAnswered = reason {
            _ = try await context.jobQueue.resume(waitingFor: SyncEnquiryToSuiteDash.uncertainWaitKey, on: tx)
        }
    }
}
