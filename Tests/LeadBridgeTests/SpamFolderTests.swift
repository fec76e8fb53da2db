import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// Issue #31: spam is kept for review, never silently dropped, and never synced, exported,
/// alerted or texted until a person says "Not spam".
@Suite("Spam: kept, judged, released")
struct SpamFolderTests {
    static func honeypotBody(_ email: String) -> [String: Any] {
        ["first_name": "Bot", "email": email, "consent": true, "website": "http://spam.example"]
    }

    @Test("a honeypot hit is answered like before (202 discarded) but kept as spam with its reason; no sync is queued")
    func honeypotIsKept() async throws {
        try await withSuiteDash { app, sandbox in
            let response = try await IntakeAPITests.post(app, Self.honeypotBody("bot@example.com"))
            #expect(response.status == .accepted)
            #expect(response.body.string.contains("discarded"))
            let kept = try #require(try await Enquiry.query(on: app.db).first())
            #expect(kept.status == .spam)
            #expect(kept.spamReason?.contains("hidden field") == true)
            #expect(try await QueuedJob.query(on: app.db).count() == 0, "spam is never synced")
            // A honeypot hit that is not even an enquiry (no name) is still answered like success, and not kept.
            let junk = try await IntakeAPITests.post(app, ["website": "x", "email": "junk@example.com"])
            #expect(junk.status == .accepted)
            #expect(try await Enquiry.query(on: app.db).count() == 1)
        }
    }

    @Test("the dashboard's chart shows each day's spam beside its real enquiries, opening that day's spam; the bars of real ones leave it out")
    func dashboardShowsSpamPerDay() async throws {
        try await withApp { app in
            for index in 0..<2 { _ = try await IntakeAPITests.post(app, Self.honeypotBody("bot\(index)@example.com")) }
            try await app.submitEnquiry(email: "real@example.com")
            try await app.createAdmin()
            let html = try await app.signedInBrowser().get("/admin").text
            let today = DashboardController.dayText(DailyCounts.day(of: Date()))
            #expect(html.contains("aria-label=\"\(BarChart.shortDay(DailyCounts.day(of: Date()))): 2 spam\""))
            #expect(html.contains("/admin/submissions?status=spam&amp;since=\(today)&amp;until=\(today)"))
            #expect(html.contains(": 1 enquiry (1 pending)\""), "the real bar counts the real one alone")
            #expect(html.contains("class=\"series-spam\""))
        }
    }

    @Test("a form sent within FORM_MIN_SECONDS of being shown, or with a forged timestamp, is kept as spam; a slower one is not")
    func tooFastIsSpam() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
        try await withApp(clock: AppClock { clock.now }, { $0.intake.formMinSeconds = 3 }) { app in
            let browser = Browser(app)
            let page = try await browser.get("/contact")
            let stamp = try #require(page.body.string.firstMatch(of: /name="_ts" value="([^"]+)"/)?.output.1)
            let fields = ["first_name": "Quick", "email": "quick@example.com", "consent": "on", "_ts": String(stamp)]
            try await browser.post("/contact", form: fields)
            clock.advance(5)
            try await browser.post("/contact", form: fields.merging(["first_name": "Human", "email": "human@example.com"]) { $1 })
            try await browser.post("/contact", form: fields.merging(["first_name": "Forger", "email": "f@example.com", "_ts": "1.abc"]) { $1 })
            let rows = try await Enquiry.query(on: app.db).sort(\.$id).all()
            #expect(rows.map(\.status) == [.spam, .pending, .spam])
            #expect(rows[0].spamReason?.hasPrefix("Sent 0 s after the form was shown") == true)
            #expect(rows[2].spamReason?.contains("not one LeadBridge wrote") == true)
        }
    }

    @Test("rules an admin adds judge new enquiries, each with its reason; a rule that cannot work is refused with a sentence")
    func rules() async throws {
        try await withApp { app in
            try await app.createAdmin()
            let admin = try await app.signedInBrowser()
            try await admin.get("/admin/spam")
            let refused = try await admin.post("/admin/spam/rules", form: ["kind": "network", "value": "not a network"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Write an address"))
            for (kind, value) in [("phrase", "SEO Services"), ("links", "1"), ("email_domain", "spam.example"), ("network", "10.9.0.0/16")] {
                #expect(try await admin.post("/admin/spam/rules", form: ["kind": kind, "value": value]).status == .seeOther)
            }
            #expect(try await SpamRule.query(on: app.db).count() == 4)
            func send(_ fields: [String: Any], ip: String = "192.0.2.1") async throws {
                _ = try await app.testing().sendRequest(.POST, "/api/contact", headers: ["Content-Type": "application/json", "X-Forwarded-For": ip],
                                                        body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: fields)))
            }
            let base: [String: Any] = ["first_name": "A", "consent": true]
            try await send(base.merging(["email": "a@example.com", "message": "We sell seo services cheap"]) { $1 })
            try await send(base.merging(["email": "b@example.com", "message": "see https://a.example and www.b.example"]) { $1 })
            try await send(base.merging(["email": "c@mail.spam.example"]) { $1 })
            try await send(base.merging(["email": "d@example.com", "message": "one link: https://ok.example"]) { $1 })
            let reasons = try await Enquiry.query(on: app.db).sort(\.$id).all().map { $0.spamReason ?? "real" }
            #expect(reasons[0].contains("“seo services”"))
            #expect(reasons[1].contains("2 links"))
            #expect(reasons[2].contains("spam.example"))
            #expect(reasons[3] == "real")
        }
    }

    @Test("Not spam releases it onto the normal path at once (the sync queued), its received time kept; Delete erases spam only")
    func releaseAndDelete() async throws {
        try await withSuiteDash { app, sandbox in
            _ = try await IntakeAPITests.post(app, Self.honeypotBody("caught@example.com"))
            _ = try await IntakeAPITests.post(app, Self.honeypotBody("bot2@example.com"))
            let real = try await app.submitEnquiry(email: "real@example.com")
            let spam = try await Enquiry.query(on: app.db).filter(\.$status == .spam).sort(\.$id).all()
            let received = spam[0].createdAt
            try await app.createAdmin()
            let admin = try await app.signedInBrowser()
            let list = try await admin.get("/admin/submissions?status=spam")
            #expect(list.body.string.contains("hidden field that bots fill in"))
            try await admin.post("/admin/submissions/\(spam[0].id!)/not-spam", form: [:])
            let released = try #require(try await Enquiry.find(spam[0].id, on: app.db))
            #expect(released.status == .pending)
            #expect(released.spamReason == nil)
            #expect(released.createdAt == received)
            #expect(try await QueuedJob.query(on: app.db).filter(\.$uniqueKey == SyncEnquiryToSuiteDash.uniqueKey(spam[0].id!)).count() == 1)
            try await app.runDueJobs()
            #expect(try await Enquiry.find(spam[0].id, on: app.db)?.status == .synced)

            #expect(try await admin.post("/admin/submissions/\(real)/delete-spam", form: [:]).status == .conflict)
            try await admin.get("/admin/submissions?status=spam")
            try await admin.post("/admin/spam/selection", form: ["ids": String(spam[1].id!), "action": "delete"])
            #expect(try await Enquiry.find(spam[1].id, on: app.db) == nil)
            #expect(try await Enquiry.find(real, on: app.db) != nil)
        }
    }

    @Test("a person marks a waiting enquiry as spam: its sync is dropped; spam is never exported; the daily sweep erases old spam only")
    func markExportAndSweep() async throws {
        try await withSuiteDash({ $0.suiteDash.exportPath = $0.storagePath + "/exports" }) { app, _ in
            let id = try await app.submitEnquiry(email: "meh@example.com")
            try await app.createAdmin()
            let admin = try await app.signedInBrowser()
            try await admin.get("/admin/submissions/\(id)")
            #expect(try await admin.post("/admin/submissions/\(id)/mark-spam", form: [:]).status == .seeOther)
            #expect(try await Enquiry.find(id, on: app.db)?.status == .spam)
            #expect(try await QueuedJob.query(on: app.db).count() == 0)
            #expect(try await admin.post("/admin/submissions/\(id)/sync", form: [:]).status == .conflict)

            guard case .empty = try await app.services.suiteDash.exporter.export(.init(), createdBy: nil) else {
                Issue.record("spam was exported"); return
            }
            let sql = app.db as! any SQLDatabase
            try await sql.raw("UPDATE contact_submissions SET created_at = \(bind: Date().addingTimeInterval(-40 * 86_400)) WHERE id = \(bind: id)").run()
            _ = try await IntakeAPITests.post(app, Self.honeypotBody("fresh-bot@example.com"))
            #expect(try await SpamSweep.sweep(days: 30, on: app.db, now: Date()) == 1)
            #expect(try await Enquiry.query(on: app.db).count() == 1)
        }
    }

    @Test("the status column takes spam, and still refuses a status outside the list")
    func statusAcceptsSpam() async throws {
        try await withApp { app in
            let sql = app.db as! any SQLDatabase
            try await sql.raw("INSERT INTO contact_submissions (first_name, source, consent, status) VALUES ('S', 'web', \(bind: true), 'spam')").run()
            await expectRefusal(by: .check) {
                try await sql.raw("INSERT INTO contact_submissions (first_name, source, consent, status) VALUES ('L', 'web', \(bind: true), 'lost')").run()
            }
        }
    }
}
