import Fluent

/// What follows a new enquiry, inside the transaction that stores it, so an enquiry and its
/// follow-ups exist together or not at all:
/// 1. its SuiteDash sync is queued (API mode, integration on);
/// 2. its staff alert and instant reply are queued (speed to lead, when set up);
/// 3. its staff email and acknowledgement are queued (email, when set up);
/// 4. earlier calls and texts from its phone become its own (`EarlierActivityLinker`).
/// A new follow-up is added here, and nowhere else.
struct NewEnquiryFollowUps: Sendable {
    let suiteDash: SuiteDashService
    let speedToLead: SpeedToLeadService
    let email: EmailService
    let clock: AppClock

    /// Returns whether jobs were queued (for `committed`). `releasedByPerson`: an admin's "Not
    /// spam", which the per-address sync allowance does not hold back (a person has looked).
    func run(_ ids: [Int], on db: any Database, releasedByPerson: Bool = false) async throws -> Bool {
        guard !ids.isEmpty else { return false }
        let syncs = try await suiteDash.queueSyncIfEnabled(ids, on: db, limitedPerAddress: !releasedByPerson)
        let texts = try await speedToLead.planForNewEnquiries(ids, on: db)
        let emails = try await email.planForNewEnquiries(ids, on: db)
        await EarlierActivityLinker.claim(ids, on: db, now: clock.now())
        return syncs || texts || emails
    }

    /// After the enquiries' transaction commits, if it queued jobs: they can be claimed now.
    func committed(queuedJobs: Bool) {
        if queuedJobs { suiteDash.context.jobQueue.wakeup?.signal() }
    }
}
