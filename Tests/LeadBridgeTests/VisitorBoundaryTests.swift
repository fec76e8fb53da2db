import Fluent
import Foundation
import ProviderSandbox
import SQLKit
import SuiteDashKit
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// A visitor is not an identity (issue #27): what an anonymous form says may add to what
/// LeadBridge and SuiteDash know, never overwrite a CRM record, and never put a visitor's words
/// or links into a text the business sends.
@Suite("What a visitor types")
struct VisitorBoundaryTests {
    static let client = "ceo@bigclient.example"

    @Test("an enquiry with a client's email and an attacker's phone leaves the contact's fields as they were; the page shows each difference and an admin may apply one")
    func aForgedEnquiryNeverRewritesAContact() async throws {
        try await withSuiteDash { app, sandbox in
            let fields = sandbox.suiteDash.customFields
            let key = { (label: String) in fields.first { $0.label == label }!.key }
            try await app.services.suiteDash.settings.save(.init(
                mode: .api, isEnabled: true, apiURL: sandbox.suiteDashURL, publicID: nil, secretKey: nil, tags: ["website-lead"],
                circles: [], fieldMap: [.source: key("Lead Source"), .consentAt: key("Consent Given At")]))
            let real = try await app.submitEnquiry(firstName: "Grace", lastName: "Hopper", email: Self.client,
                                                   phone: "+14155550123", company: "Big Client Inc")
            try await app.runDueJobs()
            let uid = try #require(try await Enquiry.find(real, on: app.db)?.externalID)
            let before = try #require(sandbox.suiteDash.contacts.first { $0.uid == uid })

            let forged = try await app.submitEnquiry(firstName: "Mallory", lastName: "Hopper", email: Self.client,
                                                     phone: "+16505550666", company: "Evil Ltd", message: "Ring me on my new number.")
            try await app.runDueJobs()
            #expect(try await Enquiry.find(forged, on: app.db)?.status == .synced)
            let after = try #require(sandbox.suiteDash.contacts.first { $0.uid == uid })
            #expect(sandbox.suiteDash.contacts.count == 1)
            #expect(after.fields["phone"] == "+14155550123", "staff who ring back still reach the client")
            #expect(after.fields["first_name"] == "Grace")
            #expect(after.companies == before.companies)
            #expect(after.customFields == before.customFields, "the consent date and every mapped field stay")
            #expect(after.fields["background_info"]?.contains("Ring me on my new number.") == true, "the enquiry is added")

            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin/submissions/\(forged)").text
            #expect(page.contains("SuiteDash kept what it holds"))
            #expect(page.contains("SuiteDash has +14155550123, the form said +16505550666"))
            #expect(page.contains("SuiteDash has Grace, the form said Mallory"))
            #expect(try await browser.post("/admin/submissions/\(forged)/suitedash-differences", form: ["field": "email"]).status == .badRequest)

            // An admin who called the client and learnt the new number applies it: that field alone.
            let applied = try await browser.post("/admin/submissions/\(forged)/suitedash-differences", form: ["field": "phone"])
            #expect(applied.status == .seeOther)
            let now = try #require(sandbox.suiteDash.contacts.first { $0.uid == uid })
            #expect(now.fields["phone"] == "+16505550666" && now.fields["first_name"] == "Grace")
            #expect(try await browser.post("/admin/submissions/\(forged)/suitedash-differences", form: ["field": "phone"]).status == .conflict)
            #expect(!(try await browser.get("/admin/submissions/\(forged)").text.contains("the form said +16505550666")))
        }
    }

    @Test("what a visitor typed reaches an instant reply without links, control or bidi characters, and short")
    func instantRepliesQuoteOnlyPlainShortWords() async throws {
        try await withRingCentral({ SpeedToLeadTests.configure(&$0, reply: true) }) { app, sandbox in
            try await app.submitEnquiry(firstName: "Win\u{202E}gnip www.prize.test \u{0007}Ann https://evil.example/x a@b.example " + String(repeating: "y", count: 20),
                                        company: "Evil.Example/pay \u{2066}Big\u{2069} Co " + String(repeating: "z", count: 80))
            try await app.runDueJobs()
            let text = try #require(SpeedToLeadTests.texts(sandbox, to: SpeedToLeadTests.lead).first?.text)
            for bad in ["prize.test", "evil.example", "Evil.Example", "a@b.example", "\u{202E}", "\u{2066}", "\u{0007}", "https"] {
                #expect(!text.contains(bad), "\(bad.unicodeScalars.map { String($0.value, radix: 16) }) in \(text)")
            }
            #expect(text.hasPrefix("Hi Win") && text.contains("Ann yyy"), "\(text)")
            let name = text.dropFirst("Hi ".count).prefix { $0 != "," }
            #expect(name.utf16.count <= 30)
            let company = try #require(text.components(separatedBy: "about ").last?.components(separatedBy: ". We'll").first)
            #expect(company.utf16.count <= 40 && company.hasPrefix("Big Co"), "\(company)")
        }
    }

    @Test("instant replies have their own hour: a flood of form posts leaves missed callers their text-back")
    func instantRepliesCannotStarveMissedCallTexts() async throws {
        try await withRingCentral({ SpeedToLeadTests.configure(&$0, reply: true, missedCall: true); $0.speedToLead.hourlyCap = 2 }) { app, sandbox in
            for index in 0..<3 { try await app.submitEnquiry(firstName: "Flood", phone: "+1415555040\(index)") }
            try await app.runDueJobs()
            #expect(try await SpeedToLeadTests.automatic(app, .autoReply).map(\.status) == [.sent, .sent, .dropped])
            try await SpeedToLeadTests.missedCallNotification(app, from: "+14155550499", session: "s-visitor-1")
            try await app.runDueJobs()
            let missed = try await SpeedToLeadTests.automatic(app, .missedCall)
            #expect(missed.map(\.status) == [.sent], "\(missed.map { $0.reason ?? "" })")
            #expect(SpeedToLeadTests.texts(sandbox, to: "+14155550499").count == 1)
        }
    }

    @Test("staff alerts stop at the hourly cap; what arrives past it waits for one summary that says how many were held")
    func staffAlertsHaveAnHourlyCap() async throws {
        try await withRingCentral({ SpeedToLeadTests.configure(&$0, alerts: true); $0.speedToLead.hourlyCap = 1 }) { app, sandbox in
            try await app.submitEnquiry(firstName: "First")
            try await app.runDueJobs()
            #expect(SpeedToLeadTests.texts(sandbox, to: SpeedToLeadTests.staff).count == 1)
            // Past the minute's window too: the sent alert is made an old one, but still this hour's.
            try await app.db.sql().update("automatic_texts").set("sent_at", to: SQLBind(Date().addingTimeInterval(-600))).run()
            for name in ["Bo", "Cy"] { try await app.submitEnquiry(firstName: name, lastName: "Held") }
            try await app.runDueJobs()
            #expect(SpeedToLeadTests.texts(sandbox, to: SpeedToLeadTests.staff).count == 1, "held by the cap")
            let summary = try #require(try await SpeedToLeadTests.automatic(app, .alertSummary).first)
            let job = try #require(try await QueuedJob.query(on: app.db).filter(\.$kind == SendAutomaticText.name).first())
            #expect(job.availableAt > Date().addingTimeInterval(2900), "the summary waits until the hour has room")
            #expect(try await SpeedToLeadTests.automatic(app, .alert).filter { $0.summaryID == summary.id }.count == 2)
            try await app.makeAllJobsDue()
            try await app.runDueJobs()
            let texts = SpeedToLeadTests.texts(sandbox, to: SpeedToLeadTests.staff)
            #expect(texts.count == 2)
            #expect(texts.last?.text.hasPrefix("2 new enquiries were held: staff alerts had reached 1 this hour.") == true, "\(texts.last?.text ?? "")")
        }
    }

    @Test("a STOP outlives the documented key rotation: recorded, rotated, the old key removed, and the instant reply to that number is still refused")
    func doNotTextSurvivesKeyRotation() async throws {
        let old = AppKey.generate(), new = AppKey.generate()
        try await withRingCentral({ SpeedToLeadTests.configure(&$0, reply: true); $0.appKey = new.encoded; $0.previousAppKeys = [] }) { app, sandbox in
            // Recorded while the old key was APP_KEY.
            let stoppedAt = Date().addingTimeInterval(-3600)
            try await DoNotText(secrets: SecretBox(current: old)).optOut(SpeedToLeadTests.lead, keyword: "STOP", at: stoppedAt, on: app.db)
            // `key rotate` with the new key current and the old one in APP_PREVIOUS_KEYS.
            let rotating = SecretBox(current: new, previous: [old])
            let resealer = SecretResealer(database: app.db, secrets: rotating)
            try await resealer.resealAll()
            let census = try await resealer.census()
            #expect(census.underOldKeys == 0 && census.optOutsNeedingOldKeys == 0)
            #expect(KeyCommand.RotateKey.verdict(census).contains("can be removed"))

            // The server restarted with the old key gone (this app has only the new one).
            #expect(try await app.services.speedToLead.doNotText.isOptedOut(SpeedToLeadTests.lead, on: app.db) != nil)
            try await app.submitEnquiry(firstName: "Ada")
            try await app.runDueJobs()
            #expect(SpeedToLeadTests.texts(sandbox, to: SpeedToLeadTests.lead).isEmpty)
            #expect(try await SpeedToLeadTests.automatic(app, .autoReply).first?.reason?.contains("texted STOP") == true)
        }
    }

    @Test("a list recorded before it had its own key, under a key rotated out earlier, keeps the old key needed until each number is seen again")
    func olderOptOutsKeepTheOldKeyNeeded() async throws {
        let older = AppKey.generate(), current = AppKey.generate()
        try await withApp({ $0.appKey = current.encoded; $0.previousAppKeys = [older.encoded] }) { app in
            // A row from before this version, hashed under a key derived from the older APP_KEY.
            let legacy = SecretBox(current: older).mac("+14155550100", purpose: DoNotText.purpose)
            try await app.db.sql().insert(into: "do_not_text").columns("number_hash", "keyword", "opted_out_at")
                .values(SQLBind(legacy), SQLBind("STOP"), SQLBind(Date())).run()
            let resealer = SecretResealer(database: app.db, secrets: app.services.secrets)
            try await app.services.speedToLead.doNotText.adoptKey(on: app.db)
            var census = try await resealer.census()
            #expect(census.optOutsNeedingOldKeys == 1)
            #expect(KeyCommand.RotateKey.verdict(census).hasPrefix("Keep APP_PREVIOUS_KEYS as it is"))
            // The number is seen again (a text to it is checked): hashed anew, and the old key is free.
            #expect(try await app.services.speedToLead.doNotText.isOptedOut("+14155550100", on: app.db) != nil)
            census = try await resealer.census()
            #expect(census.optOutsNeedingOldKeys == 0)
            #expect(try await DoNotText(secrets: SecretBox(current: current)).isOptedOut("+14155550100", on: app.db) != nil)
        }
    }
}
