import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// The dashboard's charts (issue #18): counts per day kept by the database, drawn as SVG bars
/// that link to the lists they summarise, and the lists' date and sync-time filters.
@Suite struct DashboardTests {
    private static let day: TimeInterval = 86_400

    /// An enquiry that arrived `daysAgo` days before now (at noon UTC), synced `syncedAfter` seconds later.
    @discardableResult
    private func enquiry(_ app: Application, _ name: String, daysAgo: Int, status: EnquiryStatus = .pending,
                         syncedAfter: TimeInterval? = nil) async throws -> Int {
        let row = Enquiry()
        row.firstName = name; row.email = "\(name.lowercased())@example.com"; row.source = "website"; row.consent = true
        row.status = status
        try await row.create(on: app.db)
        let id = try row.requireID()
        let created = Self.noon(daysAgo: daysAgo)
        try await (app.db as! any SQLDatabase).raw("""
            UPDATE contact_submissions SET created_at = \(bind: created), synced_at = \(bind: syncedAfter.map { created.addingTimeInterval($0) })
            WHERE id = \(bind: id)
            """).run()
        return id
    }

    private static func noon(daysAgo: Int) -> Date {
        let today = DailyCounts.day(of: Date())
        return DailyCounts.date(ofDay: today - daysAgo).addingTimeInterval(12 * 3600)
    }

    /// What the kept counts must say, counted the slow way from the rows.
    private func counted(_ app: Application) async throws -> [Int: [String: Int]] {
        var counts: [Int: [String: Int]] = [:]
        for row in try await Enquiry.query(on: app.db).all() {
            var key = row.status.rawValue
            if row.status == .synced {
                let elapsed = (row.syncedAt ?? .distantFuture).timeIntervalSince(row.createdAt!)
                key += elapsed <= 60 ? "/minute" : elapsed <= 3600 ? "/hour" : "/later"
            }
            counts[DailyCounts.day(of: row.createdAt!), default: [:]][key, default: 0] += 1
        }
        return counts
    }

    private func kept(_ app: Application, _ metric: String = "enquiries") async throws -> DailyCounts {
        let today = DailyCounts.day(of: Date())
        return try await DailyCounts.read(metric, days: (today - 40)...(today + 1), on: app.db)
    }

    @Test func theDailyCountsFollowEveryInsertStatusChangeRedatedSyncAndDelete() async throws {
        try await withApp { app in
            let ada = try await enquiry(app, "Ada", daysAgo: 2)
            try await enquiry(app, "Bob", daysAgo: 2, status: .synced, syncedAfter: 20)
            try await enquiry(app, "Cy", daysAgo: 5, status: .synced, syncedAfter: 600)
            let dee = try await enquiry(app, "Dee", daysAgo: 9, status: .failed)
            #expect(try await kept(app).byDay == counted(app))
            let twoDaysAgo = DailyCounts.day(of: Self.noon(daysAgo: 2))
            #expect(try await kept(app).count(day: twoDaysAgo, key: "synced/minute") == 1)

            // Ada syncs two hours after she arrived; Dee is deleted; Bob's sync is re-dated.
            let sql = app.db as! any SQLDatabase
            try await sql.raw("UPDATE contact_submissions SET status = 'synced', synced_at = created_at WHERE id = \(bind: ada)").run()
            try await sql.raw("UPDATE contact_submissions SET synced_at = \(bind: Self.noon(daysAgo: 2).addingTimeInterval(7200)) WHERE id = \(bind: ada)").run()
            try await Enquiry.query(on: app.db).filter(\.$id == dee).delete()
            try await sql.raw("UPDATE contact_submissions SET synced_at = \(bind: Self.noon(daysAgo: 2).addingTimeInterval(1800)) WHERE first_name = 'Bob'").run()
            let counts = try await kept(app)
            #expect(counts.byDay == (try await counted(app)))
            #expect(counts.count(day: twoDaysAgo, key: "synced/later") == 1)
            #expect(counts.count(day: twoDaysAgo, key: "synced/hour") == 1)
            #expect(counts.count(day: twoDaysAgo, key: "pending") == 0)
            #expect(counts.total() == 3)

            // Folding keeps the sums and leaves one row per day and key.
            try await DailyCounts.fold(on: app.db)
            #expect(try await kept(app).byDay == counted(app))
            let rows = try await sql.raw("SELECT COUNT(*) AS n FROM daily_count_changes WHERE metric = 'enquiries'").first()?
                .decode(column: "n", as: Int.self)
            #expect(rows == 3)
        }
    }

    @Test func theMigrationCountsWhatWasThereBeforeIt() async throws {
        try await withApp { app in
            try await enquiry(app, "Ada", daysAgo: 3, status: .synced, syncedAfter: 40)
            try await enquiry(app, "Bob", daysAgo: 12, status: .failed)
            let call = CallLog()
            call.ringCentralID = "before"; call.direction = "inbound"; call.startTime = Self.noon(daysAgo: 4)
            try await call.create(on: app.db)
            try await (app.db as! any SQLDatabase).raw("""
                INSERT INTO integration_logs (provider, action, status, http_status, created_at)
                VALUES ('suitedash', 'POST /contact', 'success', 201, \(bind: Date()))
                """).run()
            try await CountByDay().revert(on: app.db)
            try await CountByDay().prepare(on: app.db)
            #expect(try await app.services.suiteDash.requestsThisMonth(now: Date()) == 1)
            #expect(try await kept(app).byDay == counted(app))
            #expect(try await kept(app, "calls").count(day: DailyCounts.day(of: Self.noon(daysAgo: 4)), key: "inbound") == 1)
            // And the triggers are back.
            try await enquiry(app, "Cy", daysAgo: 1)
            #expect(try await kept(app).byDay == counted(app))
        }
    }

    @Test func rowsWrittenByHandWithoutDatesAreTakenAndKeptOutOfTheCharts() async throws {
        try await withApp { app in
            let sql = app.db as! any SQLDatabase
            // A bulk import or a manual fix: no created_at, no start_time.
            try await sql.raw("INSERT INTO contact_submissions (first_name, source, consent, status) VALUES ('A', 'web', true, 'pending')").run()
            try await sql.raw("UPDATE contact_submissions SET status = 'failed' WHERE first_name = 'A'").run()
            try await sql.raw("INSERT INTO call_logs (ringcentral_id) VALUES ('by-hand')").run()
            try await sql.raw("INSERT INTO sms_messages (direction, from_number, to_number, text, status) VALUES ('inbound', '+1', '+2', 'hi', 'Received')").run()
            #expect(try await kept(app).total() == 0, "outside every chart's range")
            for metric in ["enquiries", "calls", "texts"] {
                let all = try await DailyCounts.read(metric, days: 0...0, on: app.db)
                #expect(all.total() == 1, "counted once on 1970-01-01 however often the row changes: \(metric)")
            }
            #expect(try await DailyCounts.read("enquiries", days: 0...0, on: app.db).count(day: 0, key: "failed") == 1)
            try await sql.raw("DELETE FROM contact_submissions").run()
            #expect(try await DailyCounts.read("enquiries", days: 0...0, on: app.db).total() == 0)
        }
    }

    @Test func callsAreCountedOnTheDayTheyStartedAndTextsOnTheDayTheyWereStored() async throws {
        try await withApp { app in
            for (index, direction) in ["inbound", "outbound", nil].enumerated() {
                let call = CallLog()
                call.ringCentralID = "call-\(index)"
                call.direction = direction
                call.startTime = index == 2 ? nil : Self.noon(daysAgo: 3)
                try await call.create(on: app.db)
            }
            let text = SMSMessage()
            text.direction = .outbound; text.fromNumber = "+14155550100"; text.toNumber = "+14155550111"
            text.text = "Hello"; text.status = "Delivered"
            try await text.create(on: app.db)

            let calls = try await kept(app, "calls")
            let threeDaysAgo = DailyCounts.day(of: Self.noon(daysAgo: 3))
            let today = DailyCounts.day(of: Date())
            #expect(calls.count(day: threeDaysAgo, key: "inbound") == 1)
            #expect(calls.count(day: threeDaysAgo, key: "outbound") == 1)
            #expect(calls.count(day: today, key: "unknown") == 1, "no start time or direction: counted when stored")
            #expect(try await kept(app, "texts").count(day: today, key: "outbound") == 1)

            try await CallLog.query(on: app.db).filter(\.$ringCentralID == "call-0").delete()
            #expect(try await kept(app, "calls").total() == 2)

            // The call-log sync rewrites a call fetched again: its new day and direction count.
            let sql = app.db as! any SQLDatabase
            try await sql.raw("UPDATE call_logs SET direction = 'inbound', start_time = \(bind: Self.noon(daysAgo: 6)) WHERE ringcentral_id = 'call-1'").run()
            let moved = try await kept(app, "calls")
            #expect(moved.count(day: threeDaysAgo, key: "outbound") == 0)
            #expect(moved.count(day: DailyCounts.day(of: Self.noon(daysAgo: 6)), key: "inbound") == 1)
            #expect(moved.total() == 2)
        }
    }

    @Test func suiteDashCallsThisMonthAreCountedByTheDatabaseAsTheyAreLogged() async throws {
        try await withSuiteDash { app, _ in
            try await app.submitEnquiry()
            try await app.runDueJobs()
            let logged = try await IntegrationLog.query(on: app.db).filter(\.$provider == "suitedash").filter(\.$httpStatus != nil).count()
            #expect(logged == 2)
            #expect(try await app.services.suiteDash.requestsThisMonth(now: Date()) == logged)
            // A row from last month, one without an answer (the call never reached SuiteDash), and
            // RingCentral's calls do not count.
            let sql = app.db as! any SQLDatabase
            try await sql.raw("""
                INSERT INTO integration_logs (provider, action, status, http_status, created_at)
                VALUES ('suitedash', 'GET /contact/{id}', 'success', 200, \(bind: Date().addingTimeInterval(-40 * 86_400))),
                       ('suitedash', 'POST /contact', 'failed', NULL, \(bind: Date())),
                       ('ringcentral', 'GET /restapi/v1.0/account/~', 'success', 200, \(bind: Date()))
                """).run()
            #expect(try await app.services.suiteDash.requestsThisMonth(now: Date()) == logged)
            // Logs re-dated (the demo does) or deleted move the count with them.
            try await sql.raw("UPDATE integration_logs SET created_at = \(bind: Date().addingTimeInterval(-40 * 86_400)) WHERE action = 'POST /contact' AND http_status = 201").run()
            #expect(try await app.services.suiteDash.requestsThisMonth(now: Date()) == logged - 1)
            try await sql.raw("DELETE FROM integration_logs WHERE provider = 'suitedash'").run()
            #expect(try await app.services.suiteDash.requestsThisMonth(now: Date()) == 0)
        }
    }

    @Test func theDashboardDrawsEachDayAsABarThatOpensThatDaysEnquiries() async throws {
        try await withApp { app in
            try await enquiry(app, "Ada", daysAgo: 1)
            try await enquiry(app, "Bob", daysAgo: 1, status: .synced, syncedAfter: 10)
            try await enquiry(app, "Old", daysAgo: 45, status: .failed)
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin")
            #expect(page.status == .ok)
            let html = page.text
            let yesterday = EnquiryListRange.dayText(Self.noon(daysAgo: 1))
            let name = BarChart.shortDay(DailyCounts.day(of: Self.noon(daysAgo: 1)))
            #expect(html.contains("href=\"/admin/submissions?since=\(yesterday)&amp;until=\(yesterday)\" aria-label=\"\(name): 2 enquiries (1 synced, 1 pending)\""))
            // Only days with something to open are links (a keyboard does not tab through empty days).
            #expect(html.components(separatedBy: "<a href=\"/admin/submissions?since=").count - 1 == 1)
            #expect(html.components(separatedBy: "class=\"hit\"").count - 1 == 1, "no calls or texts: no bars to open")
            #expect(html.contains("aria-labelledby=\"enquiries-chart-title\""))
            // The month's sync health leaves out what came before it; each part opens its list.
            #expect(html.contains("1 Synced within a minute"))
            #expect(html.contains("0 Failed"), "the failure 45 days ago is outside the month")
            #expect(html.contains("/admin/submissions?status=synced&amp;synced=minute&amp;since="))
            #expect(html.contains("<svg class=\"chart\""))
            #expect(!html.contains("<script"), "drawn on the server: no chart script")
        }
    }

    @Test func theEnquiriesListFiltersByDayAndBySyncTime() async throws {
        try await withApp { app in
            try await enquiry(app, "Quick", daysAgo: 1, status: .synced, syncedAfter: 5)
            try await enquiry(app, "Slow", daysAgo: 1, status: .synced, syncedAfter: 5000)
            try await enquiry(app, "Older", daysAgo: 6, status: .synced, syncedAfter: 30)
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let yesterday = EnquiryListRange.dayText(Self.noon(daysAgo: 1))

            let day = try await browser.get("/admin/submissions?since=\(yesterday)&until=\(yesterday)").text
            #expect(day.contains("Quick") && day.contains("Slow") && !day.contains("Older"))
            #expect(day.contains("2 enquiries"))
            #expect(day.contains("value=\"\(yesterday)\""), "the filter shows what it filters by")

            let quick = try await browser.get("/admin/submissions?synced=minute").text
            #expect(quick.contains("Quick") && quick.contains("Older") && !quick.contains("Slow"))
            let slow = try await browser.get("/admin/submissions?synced=later&since=\(yesterday)").text
            #expect(slow.contains("Slow") && !slow.contains("Quick"))
            // A search keeps to the filters too.
            let searched = try await browser.get("/admin/submissions?q=slo&since=\(yesterday)&synced=later").text
            #expect(searched.contains("Slow") && searched.contains("1 enquiry"))
            let none = try await browser.get("/admin/submissions?q=slow&synced=minute").text
            #expect(!none.contains(">Slow<") && none.contains("0 enquiries"))

            // The pager keeps the filters.
            for index in 0..<24 { try await enquiry(app, "Extra\(index)", daysAgo: 1) }
            let first = try await browser.get("/admin/submissions?since=\(yesterday)&until=\(yesterday)").text
            #expect(first.contains("href=\"/admin/submissions?page=2&amp;since=\(yesterday)&amp;until=\(yesterday)\""))

            let bad = try await browser.get("/admin/submissions?since=yesterday")
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("From must be a date like 2026-11-03."))
            #expect(try await browser.get("/admin/submissions?synced=soon").text.contains("Sync time must be minute, hour or later."))
        }
    }
}
