import Fluent

/// What follows a new enquiry, inside the transaction that stores it, so an enquiry and its
/// follow-ups exist together or not at all:
/// 1. its SuiteDash sync is queued (API mode, integration on);
/// 2. its staff alert and instant reply are queued (speed to lead, when set up);
/// 3. earlier calls and texts from its phone become its own (`EarlierActivityLinker`).
/// A new follow-up is added here, and nowhere else.
struct NewEnquiryFollowUps: Sendable {
    let suiteDash: SuiteDashService
    let speedToLead: SpeedToLeadService
    let clock: AppClock

    /// Returns whether jobs were queued (for `committed`).
    func run(_ ids: [Int], on db: any Database) async throws -> Bool {
        let syncs = try await suiteDash.queueSyncIfEnabled(ids, on: db)
        let texts = try await speedToLead.planForNewEnquiries(ids, on: db)
        await EarlierActivityLinker.claim(ids, on: db, now: clock.now())
        return syncs || texts
    }

    /// After the enquiries' transaction commits, if it queued jobs: they can be claimed now.
    func committed(queuedJobs: Bool) {
        if queuedJobs { suiteDash.context.jobQueue.wakeup?.signal() }
    }
}
