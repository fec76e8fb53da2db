import Fluent
import Foundation
import SuiteDashKit

/// Puts one enquiry into SuiteDash as a tagged contact with role Lead (the guide's API mode),
/// stores SuiteDash's uid as the enquiry's external id and marks it `synced`.
///
/// Idempotent: the contact is looked up first (by the stored uid, else by the uid LeadBridge
/// remembered for the email or the phone, else by email at SuiteDash), so a second run, even
/// after a crash between SuiteDash's answer and our update, creates no second contact and
/// sends nothing that changes nothing. A phone-only enquiry becomes a Lead without an email.
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

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let enquiry = try await Enquiry.find(payload.enquiryID, on: context.db) else { return }
        let suiteDash = context.application.services.suiteDash
        let configuration = try await suiteDash.settings.load()

        // Import mode: the CSV export takes care of this enquiry.
        guard configuration.mode == .api else { return }
        guard configuration.isEnabled else { throw JobFailure.waitFor(Self.waitKey, "The SuiteDash integration is switched off.") }
        guard let credentials = configuration.credentials else {
            throw JobFailure.waitFor(Self.waitKey, "No SuiteDash API keys are configured.")
        }
        if let reason = configuration.failingReason {
            throw JobFailure.waitFor(Self.waitKey, "Held until SuiteDash accepts the API keys again: \(reason)")
        }
        let manual = payload.manual == true
        if let limit = configuration.monthlyCallLimit {
            let calls = try await suiteDash.callsThisMonth(now: context.application.services.clock.now())
            if calls >= limit {
                throw JobFailure.waitFor(Self.waitKey, "This month's SuiteDash API budget (\(limit) calls) is used up; syncing resumes when the limit is raised or next month.")
            }
            let reserve = SuiteDashBudget.reserve(of: limit, percent: context.application.services.config.suiteDash.budgetReservePercent)
            if !manual, calls >= limit - reserve {
                throw JobFailure.waitFor(Self.waitKey, "Only the reserve of this month's SuiteDash budget is left (\(reserve) of \(limit) calls, kept for Sync now): automatic syncing resumes when the limit is raised or next month.")
            }
        }
        let now = context.application.services.clock.now()
        if let until = try await SuiteDashPause(database: context.db).until(now: now) {
            throw JobFailure.deferred(until.timeIntervalSince(now), "SuiteDash asked for a pause (429); syncing resumes at \(AdminDate.format(until)).")
        }
        if !manual, let wait = try await SuiteDashBudget.waitForCeiling(context.application.services, on: context.db) {
            throw JobFailure.deferred(wait, "Held to \(context.application.services.config.suiteDash.syncsPerMinute) SuiteDash syncs a minute (SUITEDASH_SYNCS_PER_MINUTE).")
        }
        guard enquiry.email != nil || enquiry.phone != nil else {
            try await markFailed(enquiry, "There is no email address or phone number: SuiteDash could not find this person again.", on: context.db)
            throw JobFailure.permanent("Enquiry \(payload.enquiryID) has neither an email nor a phone to match in SuiteDash.")
        }

        // Two enquiries from one person must not both find "no contact" and both create one:
        // one sync per email and per phone at a time, across every worker and machine. The
        // locks are taken in one order, so two syncs never each hold one and wait for the other.
        let names = [enquiry.email.map { "suitedash-contact:" + $0.lowercased() }, enquiry.phone.map { "suitedash-phone:" + $0 }]
            .compactMap { $0 }.sorted()
        var held: [AdvisoryLock] = []
        for name in names {
            let lock = AdvisoryLock(name: name, holder: "job-\(context.jobID)", ttl: 120)
            guard try await lock.acquire(on: context.db, now: context.application.services.clock.now()) else {
                for taken in held { try? await taken.release(on: context.db) }
                throw JobFailure.deferred(2, "Another sync for \(enquiry.email ?? enquiry.phone ?? "this person") is under way; trying again shortly.")
            }
            held.append(lock)
        }
        do {
            try await upsert(enquiry, configuration: configuration, credentials: credentials, suiteDash: suiteDash, context: context)
        } catch {
            for lock in held { try? await lock.release(on: context.db) }
            throw error
        }
        for lock in held { try? await lock.release(on: context.db) }
    }

    private func upsert(_ enquiry: Enquiry, configuration: SuiteDashSettings,
                        credentials: SuiteDashClient.Credentials, suiteDash: SuiteDashService, context: JobContext) async throws {
        let id = try enquiry.requireID()
        let now = context.application.services.clock.now()
        let client = suiteDash.client(configuration, credentials: credentials, relatedType: "contact_submission", relatedID: id)
        let map = SuiteDashContactMap(database: context.db)
        var email = enquiry.email
        var knownUID = enquiry.externalID
        do {
            if knownUID == nil, let phone = enquiry.phone, let since = try await map.uncertainCreate(phone: phone) {
                let reason = "LeadBridge stopped while creating the SuiteDash contact for \(phone) (at \(AdminDate.format(since))) and cannot tell whether SuiteDash made it: SuiteDash cannot be searched by phone. So that no second contact is made, this waits for you: look for \(phone) in SuiteDash, then say below whether it is there."
                enquiry.syncError = reason
                try await enquiry.save(on: context.db)
                throw JobFailure.waitFor(Self.uncertainWaitKey, reason)
            }
            var emailConfirmed = false
            if knownUID == nil {
                let conflict = try await SuiteDashContactConflict.find(enquiryID: id, on: context.db)
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
                    knownUID = try await resolve(enquiry, id: id, map: map, client: client, now: now, db: context.db)
                }
            }
            var details = SuiteDashClient.ContactDetails(
                firstName: enquiry.firstName, lastName: enquiry.lastName, email: email, phone: enquiry.phone,
                companyName: enquiry.company, tags: configuration.tags(serviceInterest: enquiry.serviceInterest),
                circles: configuration.circles,
                customFields: configuration.customFields(for: enquiry, appURL: context.application.services.config.appURL),
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
                    message: enquiry.message, knownUID: knownUID,
                    beforeCreate: { if let phoneOnly { try await map.markCreating(phone: phoneOnly, now: now) } },
                    onCreated: { uid in try await map.remember(uid: uid, email: sentEmail, phone: phone, now: now) })
            } catch let error as SuiteDashError where phoneOnly != nil && !Self.mayHaveCreated(error) {
                // SuiteDash answered, so it made nothing (or the create was never sent): no note.
                try await map.clearCreating(phone: phoneOnly!)
                throw error
            }
            // Erased while it synced: nothing of this person is written back.
            guard try await Enquiry.find(id, on: context.db) != nil else { return }
            // The email is remembered for this contact only when the contact holds it (SuiteDash
            // never replaces an email a contact has, so an edited enquiry's new email may not be there).
            let holdsEmail = email != nil && result.email?.lowercased() == email?.lowercased()
            try await map.remember(uid: result.uid, email: holdsEmail ? email : nil, phone: enquiry.phone, now: now)
            try await SuiteDashDifferences(database: context.db).replace(enquiryID: id, contactUID: result.uid, with: result.differences, now: now)
            enquiry.externalID = result.uid
            enquiry.status = .synced
            enquiry.syncedAt = context.application.services.clock.now()
            enquiry.syncError = nil
            try await enquiry.save(on: context.db)
            try await SuiteDashContactConflict.delete(enquiryID: id, on: context.db)
        } catch let error as SuiteDashError {
            throw try await advise(error, enquiry: enquiry, context: context, store: suiteDash.settings)
        }
    }

    /// Which SuiteDash contact an enquiry without a stored uid belongs to (nil: a new one, or
    /// SuiteDash's lookup by email decides). The email decides whenever it is known; the phone
    /// only for a phone-only contact, which then gains the email, unless another contact
    /// already holds that email: then nothing is merged and the admin chooses.
    private func resolve(_ enquiry: Enquiry, id: Int, map: SuiteDashContactMap, client: SuiteDashClient,
                         now: Date, db: any Database) async throws -> String? {
        var byEmail: String?, byPhone: String?
        if let address = enquiry.email { byEmail = try await map.uid(email: address) }
        if let number = enquiry.phone { byPhone = try await map.uid(phone: number) }
        guard let address = enquiry.email else { return byPhone }
        // A phone whose contact goes by an email is not this person's alone (an office's main
        // line, say): only a phone-only contact is one person's.
        if let phoneUID = byPhone, try await map.email(of: phoneUID) != nil { byPhone = nil }
        guard let phoneUID = byPhone else { return byEmail }
        // Whom SuiteDash holds under the email: remembered, or asked (a remembered one checked, it may be gone).
        var emailUID = byEmail
        if let remembered = emailUID, try await client.contact(remembered) == nil { emailUID = nil }
        if emailUID == nil { emailUID = try await client.contact(address)?.uid }
        if emailUID == phoneUID { return phoneUID }
        // The phone's contact merged away in SuiteDash (into the email's, say): no conflict.
        guard let phoneContact = try await client.contact(phoneUID) else { return emailUID }
        let reason: String
        if let emailUID {
            try await SuiteDashContactConflict(enquiryID: id, phoneContactUID: phoneUID, emailContactUID: emailUID).save(on: db, now: now)
            reason = "The phone number belongs to SuiteDash contact \(phoneUID) and the email to contact \(emailUID). LeadBridge merges no contacts by itself: choose on this page which one the enquiry joins."
        } else {
            // Someone gave that contact an email in SuiteDash since: the phone is not this person's alone.
            guard (phoneContact.email ?? "").trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            // Nobody holds the email, and the phone's contact has none. An email typed into a form
            // proves nothing: added by itself, a portal invitation or a reply would go to whoever
            // typed it. The same contact on both sides is the question "may it gain the email?".
            try await SuiteDashContactConflict(enquiryID: id, phoneContactUID: phoneUID, emailContactUID: phoneUID).save(on: db, now: now)
            reason = "The phone number belongs to SuiteDash contact \(phoneUID), which has no email. An email typed into a form proves nothing, so LeadBridge adds none by itself: choose on this page whether the contact gains \(address)."
        }
        enquiry.syncError = reason
        try await enquiry.save(on: db)
        throw JobFailure.waitFor(Self.conflictWaitKey, reason)
    }

    /// Turns a SuiteDash error into what the queue should do, recording what the admin must see.
    private func advise(_ error: SuiteDashError, enquiry: Enquiry, context: JobContext,
                        store: SuiteDashSettingsStore) async throws -> JobFailure {
        switch error {
        case .unauthorized:
            try await store.markFailing("SuiteDash refused the API keys (401). Check the Public ID and Secret Key, then run Test Connection.")
            return .waitFor(Self.waitKey, error.description)
        case .validation(let message) where enquiry.email == nil && message.localizedCaseInsensitiveContains("email"):
            // That a Lead needs no email is our reading of SuiteDash, not confirmed by any public
            // client: if SuiteDash wants one after all, the lead waits, visibly, for Sync now.
            let reason = "SuiteDash refused a contact without an email: \(message) The enquiry is kept and waits: add an email (Edit) or press Sync now to try again."
            enquiry.syncError = reason
            try await enquiry.save(on: context.db)
            return .waitFor(Self.phoneOnlyWaitKey, reason)
        case .validation(let message):
            try await markFailed(enquiry, "SuiteDash refused this contact: \(message)", on: context.db)
            return .permanent(error.description)
        case .rateLimited(let retryAfter):
            // Every sync waits, not only this one: any call during the pause would be refused too.
            let wait = min(max(retryAfter ?? 60, 1), 3600)
            try await SuiteDashPause(database: context.db).pause(until: context.application.services.clock.now().addingTimeInterval(wait))
            return .retryAfter(wait, error.description)
        case .notFound where enquiry.externalID != nil:
            // The contact was deleted in SuiteDash: forget its uid and find or create it by email next time.
            enquiry.externalID = nil
            try await enquiry.save(on: context.db)
            return .retry(error.description)
        case .notFound, .server, .transport, .unexpectedResponse:
            if context.attempt >= Self.maxAttempts {
                try await markFailed(enquiry, "SuiteDash kept failing: \(error.description)", on: context.db)
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
