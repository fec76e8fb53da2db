import Fluent
import Foundation
import SuiteDashKit

/// Puts one enquiry into SuiteDash as a tagged contact with role Lead (the guide's API mode),
/// stores SuiteDash's uid as the enquiry's external id and marks it `synced`.
///
/// Idempotent: the contact is looked up first (by the stored uid, else by email), so a
/// second run, even after a crash between SuiteDash's answer and our update, creates no
/// second contact and sends nothing that changes nothing.
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
        guard let email = enquiry.email else {
            try await markFailed(enquiry, "There is no email address: SuiteDash needs one to find this person again without creating duplicates.", on: context.db)
            throw JobFailure.permanent("Enquiry \(payload.enquiryID) has no email address to match in SuiteDash.")
        }

        // Two enquiries from one person must not both find "no contact" and both create one:
        // one sync per email at a time, across every worker and machine.
        let lock = AdvisoryLock(name: "suitedash-contact:" + email.lowercased(), holder: "job-\(context.jobID)", ttl: 120)
        guard try await lock.acquire(on: context.db, now: context.application.services.clock.now()) else {
            throw JobFailure.deferred(2, "Another sync for \(email) is under way; trying again shortly.")
        }
        do {
            try await upsert(enquiry, email: email, configuration: configuration, credentials: credentials,
                             suiteDash: suiteDash, context: context)
        } catch {
            try? await lock.release(on: context.db)
            throw error
        }
        try? await lock.release(on: context.db)
    }

    private func upsert(_ enquiry: Enquiry, email: String, configuration: SuiteDashSettings,
                        credentials: SuiteDashClient.Credentials, suiteDash: SuiteDashService, context: JobContext) async throws {
        let client = suiteDash.client(configuration, credentials: credentials, relatedType: "contact_submission", relatedID: enquiry.id)
        let details = SuiteDashClient.ContactDetails(
            firstName: enquiry.firstName, lastName: enquiry.lastName, email: email, phone: enquiry.phone,
            companyName: enquiry.company, tags: configuration.tags(serviceInterest: enquiry.serviceInterest),
            circles: configuration.circles,
            customFields: configuration.customFields(for: enquiry, appURL: context.application.services.config.appURL),
            lastNamePlaceholder: configuration.lastNamePlaceholder)
        do {
            let result = try await client.upsertLead(
                details, source: enquiry.source, serviceInterest: enquiry.serviceInterest,
                message: enquiry.message, knownUID: enquiry.externalID)
            enquiry.externalID = result.uid
            enquiry.status = .synced
            enquiry.syncedAt = context.application.services.clock.now()
            enquiry.syncError = nil
            try await enquiry.save(on: context.db)
        } catch let error as SuiteDashError {
            throw try await advise(error, enquiry: enquiry, context: context, store: suiteDash.settings)
        }
    }

    /// Turns a SuiteDash error into what the queue should do, recording what the admin must see.
    private func advise(_ error: SuiteDashError, enquiry: Enquiry, context: JobContext,
                        store: SuiteDashSettingsStore) async throws -> JobFailure {
        switch error {
        case .unauthorized:
            try await store.markFailing("SuiteDash refused the API keys (401). Check the Public ID and Secret Key, then run Test Connection.")
            return .waitFor(Self.waitKey, error.description)
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

    private func markFailed(_ enquiry: Enquiry, _ reason: String, on db: any Database) async throws {
        enquiry.status = .failed
        enquiry.syncError = reason
        try await enquiry.save(on: db)
    }
}
