import Fluent
import Foundation
import ProviderSandbox
import SuiteDashKit
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// Leads who left only a phone number reach SuiteDash too, and nobody becomes two contacts
/// (issue #19). SuiteDash cannot be searched by phone, so LeadBridge remembers which contact
/// each phone and each email belongs to.
@Suite("SuiteDash: phone-only leads")
struct SuiteDashPhoneOnlyTests {
    static let phone = "+14155550177"

    private func contact(_ sandbox: SandboxServer, uid: String?) -> SuiteDashSandbox.Contact? {
        sandbox.suiteDash.contacts.first { $0.uid == uid }
    }

    @Test func aPhoneOnlyEnquiryBecomesALeadWithItsPhoneAndItsUidIsKept() async throws {
        try await withSuiteDash { app, sandbox in
            let id = try await app.submitEnquiry(firstName: "Pat", lastName: nil, email: nil, phone: Self.phone)
            try await app.runDueJobs()
            let enquiry = try #require(try await Enquiry.find(id, on: app.db))
            #expect(enquiry.status == .synced, "\(enquiry.syncError ?? "")")
            let lead = try #require(contact(sandbox, uid: enquiry.externalID))
            #expect(lead.fields["phone"] == Self.phone)
            #expect(lead.fields["email"] == nil)
            #expect(lead.fields["role"] == "Lead")
            #expect(try await SuiteDashContactMap(database: app.db).uid(phone: Self.phone) == lead.uid)
        }
    }

    @Test("a phone-only create whose answer was lost (the worker died) is never made twice: the phone's enquiries wait for an admin, who says whether SuiteDash has it")
    func aLostCreateWaitsForAnAdminInsteadOfMakingASecondContact() async throws {
        try await withSuiteDash { app, sandbox in
            let first = try await app.submitEnquiry(firstName: "Pat", lastName: nil, email: nil, phone: Self.phone)
            try await app.runDueJobs()
            let uid = try #require(try await Enquiry.find(first, on: app.db)?.externalID)
            // What a worker killed between SuiteDash's answer and remembering it leaves behind:
            // the note written before the create, and no uid.
            try await SuiteDashContactMap(database: app.db).markCreating(phone: Self.phone, now: Date())
            let second = try await app.submitEnquiry(firstName: "Pat", lastName: nil, email: nil, phone: Self.phone)
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 1, "no second contact")
            let held = try #require(try await QueuedJob.query(on: app.db).first())
            #expect(held.waitingFor == SyncEnquiryToSuiteDash.uncertainWaitKey)
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin/submissions/\(second)")
            #expect(page.text.contains("Is this lead in SuiteDash already?"))
            #expect(try await browser.post("/admin/submissions/\(second)/suitedash-uncertain", form: ["uid": "not a uid!"]).status == .badRequest)

            // The admin finds it there and gives its uid: the enquiry joins it.
            let answered = try await browser.post("/admin/submissions/\(second)/suitedash-uncertain", form: ["uid": uid])
            #expect(answered.status == .seeOther)
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 1)
            #expect(try await Enquiry.find(second, on: app.db)?.externalID == uid)
            #expect(try await SuiteDashContactMap(database: app.db).uid(phone: Self.phone) == uid)
            #expect(try await browser.post("/admin/submissions/\(second)/suitedash-uncertain", form: [:]).status == .conflict)

            // Another phone, whose create never reached SuiteDash: "not there" creates it, once.
            let other = "+14155550178"
            try await SuiteDashContactMap(database: app.db).markCreating(phone: other, now: Date())
            let third = try await app.submitEnquiry(firstName: "Sam", lastName: nil, email: nil, phone: other)
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 1)
            #expect(try await browser.post("/admin/submissions/\(third)/suitedash-uncertain", form: ["uid": ""]).status == .seeOther)
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 2)
            #expect(try await Enquiry.find(third, on: app.db)?.status == .synced)
        }
    }

    @Test("a phone-only create SuiteDash refused (503) leaves no note: the retry creates exactly one contact, with nobody asked")
    func aRefusedCreateIsRetriedWithoutAsking() async throws {
        try await withSuiteDash { app, sandbox in
            sandbox.suiteDash.switches.outage = true
            let id = try await app.submitEnquiry(firstName: "Pat", lastName: nil, email: nil, phone: Self.phone)
            try await app.runDueJobs()
            #expect(try await SuiteDashContactMap(database: app.db).uncertainCreate(phone: Self.phone) == nil)
            sandbox.suiteDash.switches.outage = false
            try await app.makeAllJobsDue()
            try await app.runDueJobs()
            #expect(try await Enquiry.find(id, on: app.db)?.status == .synced)
            #expect(sandbox.suiteDash.contacts.count == 1)
        }
    }

    @Test("the same phone again updates that contact; a later email is added only once an admin confirms it, since a typed email proves nothing")
    func theSamePhoneAgainUpdatesThatContactAndALaterEmailWaitsForAnAdmin() async throws {
        try await withSuiteDash { app, sandbox in
            let first = try await app.submitEnquiry(firstName: "Pat", lastName: nil, email: nil, phone: Self.phone, interest: "Business Strategy")
            try await app.runDueJobs()
            let second = try await app.submitEnquiry(firstName: "Pat", lastName: nil, email: nil, phone: Self.phone, interest: "Marketing & Growth")
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 1)
            let uid = try #require(try await Enquiry.find(first, on: app.db)?.externalID)
            #expect(try await Enquiry.find(second, on: app.db)?.externalID == uid)
            #expect(Set(contact(sandbox, uid: uid)?.tags ?? []) == ["website-lead", "Business Strategy", "Marketing & Growth"])

            // Now with an email (anyone's, typed by anyone): held, the contact untouched.
            let before = sandbox.suiteDash.contacts
            let third = try await app.submitEnquiry(firstName: "Pat", lastName: "Quinn", email: "pat@example.com", phone: Self.phone)
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts == before, "no email attached by itself")
            #expect(try await Enquiry.find(third, on: app.db)?.status == .pending)
            #expect(try await QueuedJob.query(on: app.db).first()?.waitingFor == SyncEnquiryToSuiteDash.conflictWaitKey)
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin/submissions/\(third)").text
            #expect(page.contains("Add this email to the SuiteDash contact?"))
            #expect(page.contains("Keep the contact without it"))

            // The admin knows it is Pat's: the same contact gains it.
            #expect(try await browser.post("/admin/submissions/\(third)/suitedash-contact", form: ["contact": "email"]).status == .seeOther)
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 1)
            #expect(try await Enquiry.find(third, on: app.db)?.externalID == uid)
            #expect(contact(sandbox, uid: uid)?.fields["email"] == "pat@example.com")
            #expect(try await SuiteDashContactMap(database: app.db).uid(email: "PAT@example.com") == uid)
        }
    }

    @Test("an email typed beside a phone-only contact's number, kept apart by the admin, never reaches that contact")
    func aTypedEmailKeptApartNeverReachesThePhonesContact() async throws {
        try await withSuiteDash { app, sandbox in
            try await app.submitEnquiry(firstName: "Pat", lastName: nil, email: nil, phone: Self.phone)
            try await app.runDueJobs()
            let uid = try #require(try await SuiteDashContactMap(database: app.db).uid(phone: Self.phone))
            let forged = try await app.submitEnquiry(firstName: "Pat", email: "attacker@evil.example", phone: Self.phone)
            try await app.runDueJobs()
            #expect(contact(sandbox, uid: uid)?.fields["email"] == nil)
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            #expect(try await browser.post("/admin/submissions/\(forged)/suitedash-contact", form: ["contact": "phone"]).status == .seeOther)
            try await app.runDueJobs()
            #expect(try await Enquiry.find(forged, on: app.db)?.status == .synced)
            #expect(contact(sandbox, uid: uid)?.fields["email"] == nil, "kept without the email, as the admin chose")
            #expect(sandbox.suiteDash.contacts.count == 1)
        }
    }

    @Test func anEmailOnlyLeadAndAPhoneOnlyLeadStayTwoPeople() async throws {
        try await withSuiteDash { app, sandbox in
            let byEmail = try await app.submitEnquiry(firstName: "Ada", email: "ada@example.com", phone: nil)
            let byPhone = try await app.submitEnquiry(firstName: "Bo", lastName: nil, email: nil, phone: Self.phone)
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 2)
            let a = try await Enquiry.find(byEmail, on: app.db)?.externalID
            let b = try await Enquiry.find(byPhone, on: app.db)?.externalID
            #expect(a != nil && b != nil && a != b)
        }
    }

    @Test func colleaguesWritingFromOneOfficeLineStayTwoContacts() async throws {
        try await withSuiteDash { app, sandbox in
            let ada = try await app.submitEnquiry(firstName: "Ada", email: "ada@example.com", phone: Self.phone)
            try await app.runDueJobs()
            let bo = try await app.submitEnquiry(firstName: "Bo", email: "bo@example.com", phone: Self.phone)
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 2, "the email decides; a shared phone merges nobody")
            let adaUID = try await Enquiry.find(ada, on: app.db)?.externalID
            #expect(adaUID != (try await Enquiry.find(bo, on: app.db)?.externalID))
            #expect(try await Enquiry.query(on: app.db).filter(\.$status == .synced).count() == 2)
            // Ada writes again from the same line: her contact, no choice to make.
            let again = try await app.submitEnquiry(firstName: "Ada", email: "ada@example.com", phone: Self.phone)
            try await app.runDueJobs()
            #expect(try await Enquiry.find(again, on: app.db)?.status == .synced)
            #expect(try await Enquiry.find(again, on: app.db)?.externalID == adaUID)
            #expect(sandbox.suiteDash.contacts.count == 2)
        }
    }

    @Test func aPhoneAndAnEmailOfTwoContactsAreHeldForTheAdminWhoChooses() async throws {
        try await withSuiteDash { app, sandbox in
            try await app.submitEnquiry(firstName: "Bo", lastName: nil, email: nil, phone: Self.phone)
            try await app.submitEnquiry(firstName: "Ada", email: "ada@example.com", phone: nil)
            try await app.runDueJobs()
            let phoneUID = try #require(try await SuiteDashContactMap(database: app.db).uid(phone: Self.phone))
            let emailUID = try #require(try await SuiteDashContactMap(database: app.db).uid(email: "ada@example.com"))
            let before = sandbox.suiteDash.contacts

            let both = try await app.submitEnquiry(firstName: "Ada", email: "ada@example.com", phone: Self.phone)
            try await app.runDueJobs()
            var enquiry = try #require(try await Enquiry.find(both, on: app.db))
            #expect(enquiry.status == .pending, "held, not failed")
            #expect(enquiry.syncError?.contains(phoneUID) == true && enquiry.syncError?.contains(emailUID) == true)
            #expect(sandbox.suiteDash.contacts == before, "nothing created, nothing merged")
            #expect(try await FailedJob.query(on: app.db).count() == 0)
            #expect(try await QueuedJob.query(on: app.db).first()?.waitingFor == SyncEnquiryToSuiteDash.conflictWaitKey)

            // The page shows both contacts and the two choices.
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin/submissions/\(both)").text
            #expect(page.contains(phoneUID) && page.contains(emailUID))
            #expect(page.contains("Add it to the email&#39;s contact") || page.contains("Add it to the email's contact"))

            let chosen = try await browser.post("/admin/submissions/\(both)/suitedash-contact", form: ["contact": "email"])
            #expect(chosen.status == .seeOther)
            try await app.runDueJobs()
            enquiry = try #require(try await Enquiry.find(both, on: app.db))
            #expect(enquiry.status == .synced)
            #expect(enquiry.externalID == emailUID)
            #expect(contact(sandbox, uid: emailUID)?.fields["phone"] == Self.phone)
            #expect(sandbox.suiteDash.contacts.count == 2, "the phone's contact is left for the admin to merge in SuiteDash")
            #expect(try await SuiteDashContactConflict.find(enquiryID: both, on: app.db) == nil)
            #expect(try await browser.post("/admin/submissions/\(both)/suitedash-contact", form: ["contact": "phone"]).status == .conflict)
        }
    }

    @Test func keptApartTheEnquiryJoinsThePhonesContactWithoutTheEmail() async throws {
        try await withSuiteDash { app, sandbox in
            try await app.submitEnquiry(firstName: "Bo", lastName: nil, email: nil, phone: Self.phone)
            try await app.submitEnquiry(firstName: "Ada", email: "ada@example.com", phone: nil)
            try await app.runDueJobs()
            let phoneUID = try #require(try await SuiteDashContactMap(database: app.db).uid(phone: Self.phone))
            let both = try await app.submitEnquiry(firstName: "Bo", email: "ada@example.com", phone: Self.phone)
            try await app.runDueJobs()
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            #expect(try await browser.post("/admin/submissions/\(both)/suitedash-contact", form: ["contact": "phone"]).status == .seeOther)
            try await app.runDueJobs()
            #expect(try await Enquiry.find(both, on: app.db)?.externalID == phoneUID)
            #expect(contact(sandbox, uid: phoneUID)?.fields["email"] == nil, "the email stays with the other contact")
            #expect(try await browser.post("/admin/submissions/\(both)/suitedash-contact", form: ["contact": "maybe"]).status == .badRequest)
        }
    }

    @Test func ifSuiteDashWantsAnEmailThePhoneOnlyLeadWaitsVisiblyForSyncNow() async throws {
        try await withSuiteDash { app, sandbox in
            sandbox.suiteDash.switches.emailRequired = true
            let id = try await app.submitEnquiry(firstName: "Pat", lastName: nil, email: nil, phone: Self.phone)
            try await app.runDueJobs()
            var enquiry = try #require(try await Enquiry.find(id, on: app.db))
            #expect(enquiry.status == .pending, "never failed for good")
            #expect(enquiry.syncError?.contains("The email field is required.") == true)
            #expect(try await FailedJob.query(on: app.db).count() == 0)
            #expect(try await QueuedJob.query(on: app.db).first()?.waitingFor == SyncEnquiryToSuiteDash.phoneOnlyWaitKey)
            #expect(try await app.runDueJobs() == 0, "it waits: no retry storm")

            sandbox.suiteDash.switches.emailRequired = false
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            #expect(try await browser.post("/admin/submissions/\(id)/sync", form: [:]).status == .seeOther)
            try await app.runDueJobs()
            enquiry = try #require(try await Enquiry.find(id, on: app.db))
            #expect(enquiry.status == .synced)
            #expect(enquiry.syncError == nil)

            // Or, as the page says: add an email (Edit), and it goes at once.
            sandbox.suiteDash.switches.emailRequired = true
            let held = try await app.submitEnquiry(firstName: "Sam", lastName: nil, email: nil, phone: "+14155550166")
            try await app.runDueJobs()
            #expect(try await Enquiry.find(held, on: app.db)?.status == .pending)
            let saved = try await browser.post("/admin/submissions/\(held)", form: [
                "first_name": "Sam", "email": "sam@example.com", "phone": "+14155550166"])
            #expect(saved.location?.contains("queued") == true, "\(saved.status)")
            try await app.runDueJobs()
            #expect(try await Enquiry.find(held, on: app.db)?.status == .synced)
            #expect(try await QueuedJob.query(on: app.db).count() == 0, "the held job was replaced, not left waiting")
        }
    }

    @Test func twoEnquiriesFromOnePhoneAtOnceMakeOneContact() async throws {
        try await withSuiteDash { app, sandbox in
            try await app.submitEnquiry(firstName: "Pat", lastName: nil, email: nil, phone: Self.phone, interest: "Business Strategy")
            try await app.submitEnquiry(firstName: "Pat", lastName: nil, email: nil, phone: Self.phone, interest: "Marketing & Growth")
            sandbox.suiteDash.switches.latencyMilliseconds = 150
            let clock = TestClock(Date().addingTimeInterval(1))
            let queue = JobQueue(backoff: Backoff(base: 10, cap: 60), now: { clock.now })
            let first = try await queue.claim(worker: "a", limit: 1, lease: 300, on: app.db)
            let second = try await queue.claim(worker: "b", limit: 1, lease: 300, on: app.db)
            let workerA = QueueWorker(app: app, queue: queue, settings: app.services.config.queue, id: "a")
            let workerB = QueueWorker(app: app, queue: queue, settings: app.services.config.queue, id: "b")
            async let ranA = workerA.process(first)
            async let ranB = workerB.process(second)
            _ = try await (ranA, ranB)
            clock.advance(3)
            try await app.runDueJobs(queue: queue)
            #expect(sandbox.suiteDash.contacts.count == 1)
            #expect(try await Enquiry.query(on: app.db).filter(\.$status == .synced).count() == 2)
        }
    }

    @Test func theMigrationRemembersWhatEarlierSyncsLearnt() async throws {
        try await withSuiteDash { app, sandbox in
            try await app.submitEnquiry(firstName: "Ada", email: "Ada@Example.com", phone: Self.phone)
            try await app.runDueJobs()
            let uid = try #require(sandbox.suiteDash.contacts.first?.uid)
            try await RememberSuiteDashContacts().revert(on: app.db)
            try await RememberSuiteDashContacts().prepare(on: app.db)
            let map = SuiteDashContactMap(database: app.db)
            #expect(try await map.uid(email: "ada@example.com") == uid)
            #expect(try await map.uid(phone: Self.phone) == uid)
        }
    }
}
