import Fluent
import Foundation
import SuiteDashKit

/// Putting one enquiry into SuiteDash, as a tagged contact with role Lead (the guide's API
/// mode): the rules, owned here, and run by the `SyncEnquiryToSuiteDash` job. Stores SuiteDash's
/// uid as the enquiry's external id and marks it `synced`.
///
/// Before a call: import mode, a switched-off integration, missing or refused keys, the month's
/// budget and its reserve, SuiteDash's pause and the per-minute ceiling each hold the sync with
/// a reason. Idempotent: the contact is looked up first (by the stored uid, else by the uid
/// LeadBridge remembered for the email or the phone, else by email at SuiteDash), so a second
/// run, even after a crash between SuiteDash's answer and our update, creates no second contact
/// and sends nothing that changes nothing. A phone-only enquiry becomes a Lead without an email.
/// A contact found is only added to: what a visitor typed is a claim, not an identity.
struct EnquirySync: Sendable {
    let suiteDash: SuiteDashService
    var context: IntegrationContext { suiteDash.context }
    /// The job that runs this, whose wait keys the holds are released by.
    typealias Job = SyncEnquiryToSuiteDash

    /// Which try this is, for the locks it holds and the last try's verdict.
    struct Attempt: Sendable {
        /// Who holds the sync's locks (the job).
        let holder: String
        let isLast: Bool
    }

    /// One try at putting enquiry `enquiryID` into SuiteDash; throws a `JobFailure` that tells the
    /// queue what to do when it cannot now. `manual`: an admin's Sync now, which may spend the
    /// budget's reserve and skips the ceiling.
    func sync(_ enquiryID: Int, manual: Bool, attempt: Attempt) async throws {
        let db = try context.db
        guard let enquiry = try await Enquiry.find(enquiryID, on: db) else { return }
        let configuration = try await suiteDash.settings.load()

        // Import mode: the CSV export takes care of this enquiry.
        guard configuration.mode == .api else { return }
        guard configuration.isEnabled else { throw JobFailure.waitFor(Job.waitKey, "The SuiteDash integration is switched off.") }
        guard let credentials = configuration.credentials else {
            throw JobFailure.waitFor(Job.waitKey, "No SuiteDash API keys are configured.")
        }
        if let reason = configuration.failingReason {
            throw JobFailure.waitFor(Job.waitKey, "Held until SuiteDash accepts the API keys again: \(reason)")
        }
        if let limit = configuration.monthlyCallLimit {
            let calls = try await suiteDash.requestsThisMonth(now: context.clock.now())
            if calls >= limit {
                throw JobFailure.waitFor(Job.waitKey, "This month's SuiteDash API budget (\(limit) calls) is used up; syncing resumes when the limit is raised or next month.")
            }
            let reserve = SuiteDashBudget.reserve(of: limit, percent: context.config.suiteDash.budgetReservePercent)
            if !manual, calls >= limit - reserve {
                throw JobFailure.waitFor(Job.waitKey, "Only the reserve of this month's SuiteDash budget is left (\(reserve) of \(limit) calls, kept for Sync now): automatic syncing resumes when the limit is raised or next month.")
            }
        }
        let now = context.clock.now()
        if let until = try await SuiteDashPause(database: db).until(now: now) {
            throw JobFailure.deferred(until.timeIntervalSince(now), "SuiteDash asked for a pause (429); syncing resumes at \(AdminDate.format(until)).")
        }
        if !manual, let wait = try await SuiteDashBudget.waitForCeiling(perMinute: context.config.suiteDash.syncsPerMinute, now: context.clock.now(), on: db) {
            throw JobFailure.deferred(wait, "Held to \(context.config.suiteDash.syncsPerMinute) SuiteDash syncs a minute (SUITEDASH_SYNCS_PER_MINUTE).")
        }
        guard enquiry.email != nil || enquiry.phone != nil else {
            try await markFailed(enquiry, "There is no email address or phone number: SuiteDash could not find this person again.", on: db)
            throw JobFailure.permanent("Enquiry \(enquiryID) has neither an email nor a phone to match in SuiteDash.")
        }

        // Two enquiries from one person must not both find "no contact" and both create one:
        // one sync per email and per phone at a time, across every worker and machine. The
        // locks are taken in one order, so two syncs never each hold one and wait for the other.
        let names = [enquiry.email.map { "suitedash-contact:" + $0.lowercased() }, enquiry.phone.map { "suitedash-phone:" + $0 }]
            .compactMap { $0 }.sorted()
        var held: [AdvisoryLock] = []
        for name in names {
            let lock = AdvisoryLock(name: name, holder: attempt.holder, ttl: 120)
            guard try await lock.acquire(on: db, now: context.clock.now()) else {
                for taken in held { try? await taken.release(on: db) }
                throw JobFailure.deferred(2, "Another sync for \(enquiry.email ?? enquiry.phone ?? "this person") is under way; trying again shortly.")
            }
            held.append(lock)
        }
        do {
            try await upsert(enquiry, configuration: configuration, credentials: credentials, attempt: attempt, on: db)
        } catch {
            for lock in held { try? await lock.release(on: db) }
            throw error
        }
        for lock in held { try? await lock.release(on: db) }
    }

    private func upsert(_ enquiry: Enquiry, configuration: SuiteDashSettings,
                        credentials: SuiteDashClient.Credentials, attempt: Attempt, on db: any Database) async throws {
        let id = try enquiry.requireID()
        let now = context.clock.now()
        let client = suiteDash.client(configuration, credentials: credentials, relatedType: IntegrationLog.aboutEnquiry, relatedID: id)
        let map = SuiteDashContactMap(database: db)
        var email = enquiry.email
        var knownUID = enquiry.externalID
        do {
            if knownUID == nil, let phone = enquiry.phone, let since = try await map.uncertainCreate(phone: phone) {
                let reason = "LeadBridge stopped while creating the SuiteDash contact for \(phone) (at \(AdminDate.format(since))) and cannot tell whether SuiteDash made it: SuiteDash cannot be searched by phone. So that no second contact is made, this waits for you: look for \(phone) in SuiteDash, then say below whether it is there."
                enquiry.syncError = reason
                try await enquiry.save(on: db)
                throw JobFailure.waitFor(Job.uncertainWaitKey, reason)
            }
            var emailConfirmed = false
            if knownUID == nil {
                let conflict = try await SuiteDashContactConflict.find(enquiryID: id, on: db)
                switch conflict?.decision {
                case .email?:
                    // The admin confirmed the email (for a phone-only contact, that it may gain it).
                    knownUID = conflict?.emailContactUID
                    emailConfirmed = true
                case .phone?:
                    // Kept apart, as the admin chose: the phone's contact, and not the email another contact holds.
                    knownUID = conflict?.phoneContactUID
                    email = nil
                case nil:
                    knownUID = try await resolve(enquiry, id: id, map: map, client: client, now: now, db: db)
                }
            }
            var form: WebForm?
            if let formID = enquiry.formID { form = try await WebForm.find(formID, on: db) }
            var details = SuiteDashClient.ContactDetails(
                firstName: enquiry.firstName, lastName: enquiry.lastName, email: email, phone: enquiry.phone,
                companyName: enquiry.company,
                tags: SuiteDashFormFields.tags(configuration.tags(serviceInterest: enquiry.serviceInterest), form: form),
                circles: configuration.circles,
                customFields: SuiteDashFormFields.customFields(configuration.customFields(for: enquiry, appURL: context.config.appURL),
                                                               enquiry: enquiry, form: form),
                lastNamePlaceholder: configuration.lastNamePlaceholder)
            details.mayAddEmail = emailConfirmed
            // A contact just made is remembered at once, before anything else can fail: a phone-only
            // lead cannot be found again by asking SuiteDash, so a retry would make a second one.
            let (sentEmail, phone) = (email, enquiry.phone)
            // A phone-only create is noted before it is sent: a worker killed before the answer
            // is remembered leaves the note, and the next attempt waits for an admin instead of
            // making a second contact.
            let phoneOnly = sentEmail == nil ? phone : nil
            let result: SuiteDashClient.UpsertResult
            do {
                result = try await client.upsertLead(
                    details, source: enquiry.source, serviceInterest: enquiry.serviceInterest,
                    message: enquiry.message, moreLines: SuiteDashFormFields.noteLines(enquiry, form: form), knownUID: knownUID,
                    beforeCreate: { if let phoneOnly { try await map.markCreating(phone: phoneOnly, now: now) } },
                    onCreated: { uid in try await map.remember(uid: uid, email: sentEmail, phone: phone, now: now) })
            } catch let error as SuiteDashError where phoneOnly != nil && !Self.mayHaveCreated(error) {
                // SuiteDash answered, so it made nothing (or the create was never sent): no note.
                try await map.clearCreating(phone: phoneOnly!)
                throw error
            }
            // Erased while it synced: nothing of this person is written back.
            guard try await Enquiry.find(id, on: db) != nil else { return }
            // The email is remembered for this contact only when the contact holds it (SuiteDash
            // never replaces an email a contact has, so an edited enquiry's new email may not be there).
            let holdsEmail = email != nil && result.email?.lowercased() == email?.lowercased()
            try await map.remember(uid: result.uid, email: holdsEmail ? email : nil, phone: enquiry.phone, now: now)
            try await SuiteDashDifferences(database: db).replace(enquiryID: id, contactUID: result.uid, with: result.differences, now: now)
            enquiry.externalID = result.uid
            enquiry.status = .synced
            enquiry.syncedAt = context.clock.now()
            enquiry.syncError = nil
            try await enquiry.save(on: db)
            try await SuiteDashContactConflict.delete(enquiryID: id, on: db)
        } catch let error as SuiteDashError {
            throw try await advise(error, enquiry: enquiry, attempt: attempt, on: db)
        }
    }

    /// Turns a SuiteDash error into what the queue should do, recording what the admin must see.
    private func advise(_ error: SuiteDashError, enquiry: Enquiry, attempt: Attempt, on db: any Database) async throws -> JobFailure {
        let store = suiteDash.settings(on: db)
        switch error {
        case .unauthorized:
            try await store.markFailing("SuiteDash refused the API keys (401). Check the Public ID and Secret Key, then run Test Connection.")
            return .waitFor(Job.waitKey, error.description)
        case .validation(let message) where enquiry.email == nil && message.localizedCaseInsensitiveContains("email"):
            // That a Lead needs no email is our reading of SuiteDash, not confirmed by any public
            // client: if SuiteDash wants one after all, the lead waits, visibly, for Sync now.
            let reason = "SuiteDash refused a contact without an email: \(message) The enquiry is kept and waits: add an email (Edit) or press Sync now to try again."
            enquiry.syncError = reason
            try await enquiry.save(on: db)
            return .waitFor(Job.phoneOnlyWaitKey, reason)
        case .validation(let message):
            try await markFailed(enquiry, "SuiteDash refused this contact: \(message)", on: db)
            return .permanent(error.description)
        case .rateLimited(let retryAfter):
            // Every sync waits, not only this one: any call during the pause would be refused too.
            let wait = min(max(retryAfter ?? 60, 1), 3600)
            try await SuiteDashPause(database: db).pause(until: context.clock.now().addingTimeInterval(wait))
            return .retryAfter(wait, error.description)
        case .notFound where enquiry.externalID != nil:
            // The contact was deleted in SuiteDash: forget its uid and find or create it by email next time.
            enquiry.externalID = nil
            try await enquiry.save(on: db)
            return .retry(error.description)
        case .notFound, .server, .transport, .unexpectedResponse:
            if attempt.isLast {
                try await markFailed(enquiry, "SuiteDash kept failing: \(error.description)", on: db)
            }
            return .retry(error.description)
        }
    }

    /// True when a create may have reached SuiteDash although no answer was read: a timeout or a
    /// dropped connection after sending, a gateway timeout, an answer that could not be read.
    static func mayHaveCreated(_ error: SuiteDashError) -> Bool {
        switch error {
        case .transport(let message): return UnansweredRequest.mayHaveReachedProvider(message)
        case .server(let status, _): return status == 504
        case .unexpectedResponse: return true
        default: return false
        }
    }

    private func markFailed(_ enquiry: Enquiry, _ reason: String, on db: any Database) async throws {
        enquiry.status = .failed
        enquiry.syncError = reason
        try await enquiry.save(on: db)
    }
}
