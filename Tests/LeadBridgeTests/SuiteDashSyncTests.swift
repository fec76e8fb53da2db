import Fluent
import Foundation
import ProviderSandbox
import SuiteDashKit
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

@Suite("SuiteDash API mode")
struct SuiteDashSyncTests {
    @Test func anEnquiryBecomesATaggedSuiteDashLeadAndIsMarkedSynced() async throws {
        try await withSuiteDash { app, sandbox in
            let id = try await app.submitEnquiry()
            let job = try #require(try await QueuedJob.query(on: app.db).first(), "the job was committed with the enquiry")
            #expect(job.kind == SyncEnquiryToSuiteDash.name)
            #expect(job.uniqueKey == "suitedash-sync:\(id)")

            #expect(try await app.runDueJobs() == 1)
            let contact = try #require(sandbox.suiteDash.contacts.first)
            #expect(contact.fields["email"] == "ada@example.com")
            #expect(contact.fields["role"] == "Lead")
            #expect(contact.tags == ["website-lead", "Business Strategy"])
            #expect(contact.fields["background_info"]?.contains("We need a plan.") == true)

            let enquiry = try #require(try await Enquiry.find(id, on: app.db))
            #expect(enquiry.status == .synced)
            #expect(enquiry.externalID == contact.uid)
            #expect(enquiry.syncedAt != nil)
            #expect(try await QueuedJob.query(on: app.db).count() == 0)

            let logs = try await IntegrationLog.query(on: app.db).sort(\.$id).all()
            #expect(logs.map(\.action) == ["GET /contact/{id}", "POST /contact"])
            #expect(logs.allSatisfy { $0.provider == "suitedash" && $0.relatedType == "contact_submission" && $0.relatedID == id })
            #expect(logs.map(\.httpStatus) == [404, 201])
            // Finding nobody is the normal first step for a new lead: not a failure to alarm anyone.
            #expect(logs.map(\.status) == ["success", "success"])
            #expect(logs.first?.errorMessage == nil)
            let timeline = try await EnquiryTimeline.items(for: enquiry, on: app.db).map(\.title)
            #expect(timeline.contains("SuiteDash: no contact with this email yet (a normal first look)"))
            #expect(!timeline.contains { $0.contains("failed") })
        }
    }

    @Test func syncingTwiceCreatesNoSecondContactAndSendsNothingNew() async throws {
        try await withSuiteDash { app, sandbox in
            let id = try await app.submitEnquiry()
            try await app.runDueJobs()
            sandbox.suiteDash.resetCalls()

            try await app.services.suiteDash.queueSync([id], on: app.db)
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 1)
            #expect(sandbox.suiteDash.callsByEndpoint == ["GET /contact/{id}": 1], "one call, by the stored uid")
        }
    }

    @Test("a lead carries its company, circles and mapped custom fields; syncing it again unchanged costs exactly one call")
    func whatALeadCarriesAndWhatARepeatCosts() async throws {
        try await withSuiteDash({ $0.appURL = "https://leads.example.com" }) { app, sandbox in
            let fields = sandbox.suiteDash.customFields
            #expect(try await app.services.suiteDash.testConnection().success)
            let catalog = try await app.services.suiteDash.settings.load().customFieldCatalog
            #expect(Set(catalog.map(\.key)) == Set(fields.map(\.key)), "Test Connection loaded the account's custom fields")
            let key = { (label: String) in fields.first { $0.label == label }!.key }
            try await app.services.suiteDash.settings.save(.init(
                mode: .api, isEnabled: true, apiURL: sandbox.suiteDashURL, publicID: nil, secretKey: nil, tags: ["website-lead"],
                circles: ["Website Leads"], fieldMap: [.serviceInterest: key("Service Interest"), .source: key("Lead Source"),
                                                      .adminURL: key("LeadBridge Link"), .consentAt: key("Consent Given At")]))

            let id = try await app.submitEnquiry(company: "Analytical Engines")
            try await app.runDueJobs()
            let contact = try #require(sandbox.suiteDash.contacts.first)
            #expect(contact.companies == ["Analytical Engines"])
            #expect(contact.circles == ["Website Leads"])
            #expect(contact.customFields[key("Service Interest")] == "Business Strategy")
            #expect(contact.customFields[key("Lead Source")] == "website")
            #expect(contact.customFields[key("LeadBridge Link")] == .text("https://leads.example.com/admin/submissions/\(id)"))
            guard case .text(let consent) = contact.customFields[key("Consent Given At")] else { Issue.record("no consent time"); return }
            #expect(consent.hasPrefix("20"))
            #expect(contact.customFields[key("Enquiry Message")] == nil, "an unmapped field is not sent")
            #expect(try await Enquiry.find(id, on: app.db)?.status == .synced)

            sandbox.suiteDash.resetCalls()
            try await app.services.suiteDash.queueSync([id], on: app.db)
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.callsByEndpoint == ["GET /contact/{id}": 1], "nothing changed, so nothing is sent")
        }
    }

    @Test("an enquiry without a last name reaches SuiteDash with the placeholder, and a later one with a name replaces it")
    func aMissingLastNameUsesThePlaceholder() async throws {
        try await withSuiteDash { app, sandbox in
            try await app.services.suiteDash.settings.save(.init(
                mode: .api, isEnabled: true, apiURL: sandbox.suiteDashURL, publicID: nil, secretKey: nil, tags: [],
                lastNamePlaceholder: "(website lead)"))
            let first = try await app.submitEnquiry(lastName: nil)
            try await app.runDueJobs()
            #expect(try await Enquiry.find(first, on: app.db)?.status == .synced)
            #expect(sandbox.suiteDash.contacts.first?.fields["last_name"] == "(website lead)")

            _ = try await app.submitEnquiry(lastName: "Lovelace", message: "Following up.")
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 1)
            #expect(sandbox.suiteDash.contacts.first?.fields["last_name"] == "Lovelace")
        }
    }

    @Test func aCrashAfterSuiteDashAnsweredButBeforeOurUpdateDoesNoHarm() async throws {
        try await withSuiteDash { app, sandbox in
            let id = try await app.submitEnquiry()
            // The first run got as far as SuiteDash, then the worker died: the contact exists, our row says pending.
            let configuration = try await app.services.suiteDash.settings.load()
            _ = try await app.services.suiteDash.client(configuration, credentials: configuration.credentials!)
                .upsertLead(.init(firstName: "Ada", lastName: "Lovelace", email: "ada@example.com",
                                                       phone: "+14155550100", tags: ["website-lead", "Business Strategy"]),
                                                 source: "website", serviceInterest: "Business Strategy", message: "We need a plan.")
            sandbox.suiteDash.resetCalls()

            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 1, "no duplicate")
            #expect(sandbox.suiteDash.callsByEndpoint["POST /contact"] == nil)
            let enquiry = try #require(try await Enquiry.find(id, on: app.db))
            #expect(enquiry.status == .synced)
            #expect(enquiry.externalID == sandbox.suiteDash.contacts.first?.uid)
        }
    }

    @Test func aCrashAfterThePutButBeforeOurUpdateSendsNothingTwice() async throws {
        try await withSuiteDash { app, sandbox in
            try await app.submitEnquiry(interest: "Business Strategy")
            try await app.runDueJobs()
            let second = try await app.submitEnquiry(interest: "Marketing & Growth")
            // The second enquiry's PUT reached SuiteDash, then the worker died before our update.
            let configuration = try await app.services.suiteDash.settings.load()
            let stored = try #require(try await Enquiry.find(second, on: app.db))
            let result = try await app.services.suiteDash.client(configuration, credentials: configuration.credentials!)
                .upsertLead(.init(firstName: "Ada", lastName: "Lovelace", email: "ada@example.com",
                                                       phone: "+14155550100", tags: configuration.tags(serviceInterest: stored.serviceInterest)),
                                                 source: stored.source, serviceInterest: stored.serviceInterest, message: stored.message)
            #expect(result.changed)
            #expect(!result.created)
            sandbox.suiteDash.resetCalls()

            try await app.runDueJobs()
            #expect(sandbox.suiteDash.callsByEndpoint == ["GET /contact/{id}": 1], "found it, nothing to change, no second PUT")
            #expect(try await Enquiry.find(second, on: app.db)?.status == .synced)
            #expect(sandbox.suiteDash.contacts.count == 1)
        }
    }

    @Test func refusedKeysHoldTheJobsUntilATestPasses() async throws {
        try await withSuiteDash({ $0.suiteDash.secretKey = "an-old-revoked-key" }) { app, sandbox in
            let id = try await app.submitEnquiry()
            try await app.runDueJobs()

            let held = try #require(try await QueuedJob.query(on: app.db).first())
            #expect(held.waitingFor == "suitedash")
            #expect(held.attempts == 0)
            let configuration = try await app.services.suiteDash.settings.load()
            #expect(configuration.failingReason?.contains("401") == true)
            #expect(try await Enquiry.find(id, on: app.db)?.status == .pending)

            // Still failing: another enquiry's job waits too, without calling SuiteDash.
            try await app.submitEnquiry(firstName: "Bob", email: "bob@example.com")
            sandbox.suiteDash.resetCalls()
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.totalCalls == 0)

            // The admin enters the right key and tests: the held jobs run.
            try await app.services.suiteDash.settings.save(.init(
                mode: .api, isEnabled: true, apiURL: sandbox.suiteDashURL, publicID: nil,
                secretKey: sandbox.suiteDash.secretKey, tags: ["website-lead"], monthlyCallLimit: nil))
            let outcome = try await app.services.suiteDash.testConnection()
            #expect(outcome.success)
            #expect(outcome.resumedJobs == 2)
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 2)
            #expect(try await Enquiry.query(on: app.db).filter(\.$status == .synced).count() == 2)
        }
    }

    @Test func serverErrorsAndRateLimitsAreRetried() async throws {
        // A moment after the enquiry, so its job is due on this clock.
        let clock = TestClock(Date().addingTimeInterval(1))
        try await withSuiteDash(clock: AppClock { clock.now }) { app, sandbox in
            try await app.submitEnquiry()
            let queue = JobQueue(backoff: Backoff(base: 10, cap: 60, random: { $0.upperBound }), now: { clock.now })

            sandbox.suiteDash.switches.outage = true
            try await app.runDueJobs(queue: queue)
            var job = try #require(try await QueuedJob.query(on: app.db).first())
            #expect(job.attempts == 1)
            #expect(job.lastError?.contains("503") == true)
            #expect(abs(job.availableAt.timeIntervalSince(clock.now) - 10) < 0.5)

            sandbox.suiteDash.switches = SandboxSwitches()
            sandbox.suiteDash.switches.rateLimitRetryAfter = 30
            clock.advance(11)
            try await app.runDueJobs(queue: queue)
            job = try #require(try await QueuedJob.query(on: app.db).first())
            #expect(job.attempts == 2)
            #expect(job.lastError?.contains("429") == true)
            #expect(abs(job.availableAt.timeIntervalSince(clock.now) - 30) < 0.5)

            sandbox.suiteDash.switches = SandboxSwitches()
            clock.advance(31)
            try await app.runDueJobs(queue: queue)
            #expect(try await QueuedJob.query(on: app.db).count() == 0)
            #expect(sandbox.suiteDash.contacts.count == 1)
        }
    }

    /// Issue #17's soak: during 30 s of 429s SuiteDash still received 965 requests, each job
    /// waiting out only its own 429.
    @Test func a429PausesEverySyncUntilItsRetryAfter() async throws {
        let clock = TestClock(Date().addingTimeInterval(1))
        try await withSuiteDash(clock: AppClock { clock.now }) { app, sandbox in
            try await app.submitEnquiry(firstName: "Ada", email: "ada@example.com")
            let queue = JobQueue(backoff: Backoff(base: 10, cap: 60, random: { $0.upperBound }), now: { clock.now })
            sandbox.suiteDash.switches.rateLimitRetryAfter = 30
            try await app.runDueJobs(queue: queue)
            let calls = sandbox.suiteDash.totalCalls
            #expect(calls == 1)

            // Another lead arrives during the pause: its sync does not call SuiteDash at all.
            try await app.submitEnquiry(firstName: "Bob", email: "bob@example.com")
            clock.advance(1)
            try await app.runDueJobs(queue: queue)
            #expect(sandbox.suiteDash.totalCalls == calls, "nothing is sent while SuiteDash asked for a pause")
            let bob = try #require(try await QueuedJob.query(on: app.db).sort(\.$id, .descending).first())
            #expect(bob.attempts == 0, "a pause is not a failed try")
            #expect(abs(bob.availableAt.timeIntervalSince(clock.now) - 29) < 1, "deferred to the end of the pause")

            sandbox.suiteDash.switches = SandboxSwitches()
            clock.advance(31)
            #expect(try await app.runDueJobs(queue: queue) == 2)
            #expect(sandbox.suiteDash.contacts.count == 2)
        }
    }

    @Test func aRefusedContactMarksTheEnquiryFailedWithSuiteDashsReason() async throws {
        try await withSuiteDash { app, sandbox in
            let id = try await app.submitEnquiry()
            sandbox.suiteDash.switches.validationMessage = "The phone format is invalid."
            try await app.runDueJobs()
            let enquiry = try #require(try await Enquiry.find(id, on: app.db))
            #expect(enquiry.status == .failed)
            #expect(enquiry.syncError == "SuiteDash refused this contact: The phone format is invalid.")
            #expect(try await FailedJob.query(on: app.db).count() == 1)
        }
    }

    @Test func theMonthlyBudgetPausesSyncingInsteadOfFailing() async throws {
        try await withSuiteDash({ $0.suiteDash.monthlyCallLimit = 2 }) { app, sandbox in
            try await app.submitEnquiry()
            try await app.runDueJobs()   // GET + POST: the budget is spent
            try await app.submitEnquiry(firstName: "Bob", email: "bob@example.com")
            sandbox.suiteDash.resetCalls()
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.totalCalls == 0)
            let held = try #require(try await QueuedJob.query(on: app.db).first())
            #expect(held.waitingFor == "suitedash")
            #expect(held.lastError?.contains("budget") == true)
            #expect(try await FailedJob.query(on: app.db).count() == 0)
        }
    }

    @Test func importModeAndSwitchedOffQueueNothing() async throws {
        try await withSuiteDash({ $0.suiteDash.mode = .import }) { app, _ in
            try await app.submitEnquiry()
            #expect(try await QueuedJob.query(on: app.db).count() == 0)
        }
        try await withSuiteDash({ $0.suiteDash.enabled = false }) { app, _ in
            try await app.submitEnquiry()
            #expect(try await QueuedJob.query(on: app.db).count() == 0)
        }
    }

    @Test func noKeyEverReachesTheLogsOrTheDatabaseInClear() async throws {
        try await withSuiteDash { app, sandbox in
            try await app.services.suiteDash.settings.save(.init(
                mode: .api, isEnabled: true, apiURL: sandbox.suiteDashURL, publicID: sandbox.suiteDash.publicID,
                secretKey: sandbox.suiteDash.secretKey, tags: ["website-lead"], monthlyCallLimit: nil))
            try await app.submitEnquiry()
            try await app.runDueJobs()

            let logs = try await IntegrationLog.query(on: app.db).all()
            #expect(!logs.isEmpty)
            let logText = try String(decoding: JSONEncoder().encode(logs.map { [$0.payload?.text, $0.response?.text, $0.errorMessage] }), as: UTF8.self)
            #expect(!logText.contains(sandbox.suiteDash.secretKey))
            let row = try #require(try await IntegrationSetting.query(on: app.db).first())
            let stored = try String(decoding: JSONEncoder().encode(row.credentials), as: UTF8.self)
            #expect(!stored.contains(sandbox.suiteDash.secretKey))
            #expect(!stored.contains(sandbox.suiteDash.publicID))
            #expect(try await app.services.suiteDash.settings.load().credentials?.secretKey == sandbox.suiteDash.secretKey)
        }
    }

    @Test func redactionRemovesSecretLookingFields() {
        let body = Data(#"{"email":"a@b.co","secret_key":"s3","nested":{"access_token":"t","list":[{"password":"p"}]}}"#.utf8)
        let text = Redactor.redact(body)!.text
        #expect(text.contains("a@b.co"))
        for secret in ["\"s3\"", "\"t\"", "\"p\""] { #expect(!text.contains(secret), "\(secret)") }
    }

    @Test("bodies that are not JSON are redacted too: form fields by name, and anything that looks like a key or token")
    func nonJSONBodiesAreRedacted() {
        let form = Redactor.redact(Data("grant_type=refresh_token&refresh_token=shortone&client_secret=s3cr3t&email=a%40b.co".utf8))!.text
        #expect(!form.contains("shortone") && !form.contains("s3cr3t"))
        #expect(form.contains("grant_type=refresh_token") && form.contains("email=a%40b.co"))
        let page = Redactor.redact(Data("<html><body>Bad request for Bearer U0pDMTFQMDFQQVMwMHxBQUJhY2Nlc3M9 from 10.0.0.1</body></html>".utf8))!.text
        #expect(!page.contains("U0pDMTFQMDFQQVMwMHxBQUJhY2Nlc3M9"))
        #expect(page.contains("Bad request for Bearer"))
    }
}

@Suite("SuiteDash: one person, many enquiries")
struct SuiteDashConcurrencyTests {
    @Test func twoWorkersSyncingOnePersonAtOnceMakeOneContact() async throws {
        try await withSuiteDash { app, sandbox in
            try await app.submitEnquiry(interest: "Business Strategy")
            try await app.submitEnquiry(interest: "Marketing & Growth")
            sandbox.suiteDash.switches.latencyMilliseconds = 150   // so the two syncs overlap
            let clock = TestClock(Date().addingTimeInterval(1))
            let queue = JobQueue(backoff: Backoff(base: 10, cap: 60), now: { clock.now })

            let first = try await queue.claim(worker: "a", limit: 1, lease: 300, on: app.db)
            let second = try await queue.claim(worker: "b", limit: 1, lease: 300, on: app.db)
            #expect(first.count == 1)
            #expect(second.count == 1)
            let workerA = QueueWorker(app: app, queue: queue, settings: app.services.config.queue, id: "a")
            let workerB = QueueWorker(app: app, queue: queue, settings: app.services.config.queue, id: "b")
            async let ranA = workerA.process(first)
            async let ranB = workerB.process(second)
            _ = try await (ranA, ranB)

            let deferred = try #require(try await QueuedJob.query(on: app.db).first(), "one of them waited its turn")
            #expect(deferred.attempts == 0, "waiting for a lock costs no attempt")
            clock.advance(3)
            try await app.runDueJobs(queue: queue)

            #expect(sandbox.suiteDash.contacts.count == 1)
            let tags = sandbox.suiteDash.contacts.first?.tags ?? []
            #expect(tags.count == 3)
            #expect(Set(tags) == ["website-lead", "Business Strategy", "Marketing & Growth"])
            #expect(try await Enquiry.query(on: app.db).filter(\.$status == .synced).count() == 2)
        }
    }

    @Test func aLockIsExclusiveUntilReleasedOrExpired() async throws {
        try await withApp { app in
            let now = Date()
            let mine = AdvisoryLock(name: "suitedash-contact:a@example.com", holder: "job-1", ttl: 60)
            let theirs = AdvisoryLock(name: "suitedash-contact:a@example.com", holder: "job-2", ttl: 60)
            #expect(try await mine.acquire(on: app.db, now: now))
            #expect(try await theirs.acquire(on: app.db, now: now) == false)
            #expect(try await theirs.acquire(on: app.db, now: now.addingTimeInterval(61)), "an expired lock can be taken")
            #expect(try await mine.acquire(on: app.db, now: now.addingTimeInterval(62)) == false)
            try await theirs.release(on: app.db)
            #expect(try await mine.acquire(on: app.db, now: now.addingTimeInterval(62)))
        }
    }
}

@Suite("SuiteDash: secrets stay out of log lines")
struct SuiteDashLoggingTests {
    @Test func failingAndPassingSyncsLogNoKey() async throws {
        let logs = CapturedLogs()
        try await withSuiteDash({ $0.suiteDash.secretKey = "wrong-secret-abc123" }) { app, sandbox in
            app.logger = logs.logger()
            try await app.submitEnquiry()
            try await app.runDueJobs()                 // 401: logged as a held job
            sandbox.suiteDash.switches.outage = true
            try await app.services.suiteDash.settings.save(.init(
                mode: .api, isEnabled: true, apiURL: sandbox.suiteDashURL, publicID: nil,
                secretKey: sandbox.suiteDash.secretKey, tags: ["website-lead"], monthlyCallLimit: nil))
            _ = try await app.services.suiteDash.testConnection()
            sandbox.suiteDash.switches = SandboxSwitches()
            _ = try await app.services.suiteDash.testConnection()
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 1)
            #expect(!logs.all.isEmpty, "the held job was logged")
            for secret in ["wrong-secret-abc123", sandbox.suiteDash.secretKey] {
                #expect(!logs.all.contains { $0.contains(secret) }, "a log line holds \(secret)")
            }
        }
    }
}
