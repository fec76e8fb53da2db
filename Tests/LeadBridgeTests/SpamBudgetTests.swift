import Fluent
import Foundation
import ProviderSandbox
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// A flood of valid-looking enquiries must not spend a small SuiteDash plan's month.
@Suite("Spam and the SuiteDash budget")
struct SpamBudgetTests {
    /// Calls this month, as if syncs had made them.
    static func spend(_ calls: Int, _ app: Application) async throws {
        for _ in 0..<calls {
            _ = await app.services.suiteDash.context.logs.record(.init(
                provider: "suitedash", action: "GET /contact/{id}", httpStatus: 200, durationMS: 1))
        }
    }

    @Test("over the ceiling, enquiries are all stored and their syncs run at the ceiling's rate; the dashboard says so")
    func aFloodIsSyncedAtTheCeiling() async throws {
        try await withSuiteDash({ $0.suiteDash.syncsPerMinute = 3 }) { app, sandbox in
            for index in 0..<8 {
                try await app.submitEnquiry(firstName: "Spam", email: "spam\(index)@example.com")
            }
            #expect(try await Enquiry.query(on: app.db).count() == 8, "every enquiry is stored at once")
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 3, "three syncs this minute")
            #expect(try await Enquiry.query(on: app.db).filter(\.$status == .pending).count() == 5)
            #expect(try await QueuedJob.query(on: app.db).count() == 5, "the others wait their turn, unfailed")
            #expect(try await FailedJob.query(on: app.db).count() == 0)

            try await app.createAdmin()
            let page = try await app.signedInBrowser().get("/admin").text
            #expect(page.contains("Enquiries are arriving faster than 3 a minute: all are stored, and their SuiteDash syncs run at 3 a minute."))
        }
    }

    @Test("the end of the month's budget is kept for Sync now: automatic syncs wait, an admin's Sync now sends")
    func theReserveIsForSyncNow() async throws {
        try await withSuiteDash({ $0.suiteDash.monthlyCallLimit = 20; $0.suiteDash.budgetReservePercent = 25 }) { app, sandbox in
            try await Self.spend(15, app)  // 5 left, all of them the reserve
            let id = try await app.submitEnquiry()
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.totalCalls == 0)
            let held = try #require(try await QueuedJob.query(on: app.db).first())
            #expect(held.waitingFor == "suitedash")
            #expect(held.lastError?.contains("Only the reserve of this month's SuiteDash budget is left") == true)

            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            #expect(try await browser.get("/admin").text.contains("Only the reserve of this month"))
            #expect(try await browser.post("/admin/submissions/\(id)/sync", form: [:]).location?.contains("Queued") == true)
            try await app.runDueJobs()
            #expect(try await Enquiry.find(id, on: app.db)?.status == .synced, "Sync now spends the reserve")
        }
    }

    @Test("held for the budget, syncs are let go by the hourly upkeep once the budget allows")
    func housekeepingReleasesBudgetHolds() async throws {
        try await withSuiteDash({ $0.suiteDash.monthlyCallLimit = 4 }) { app, sandbox in
            try await Self.spend(4, app)
            let id = try await app.submitEnquiry()
            try await app.runDueJobs()
            #expect(try await QueuedJob.query(on: app.db).first()?.waitingFor == "suitedash")
            // A new month: this month's calls are gone from the count.
            try await IntegrationLog.query(on: app.db).delete()
            try await app.services.jobQueue.enqueue(Housekeeping.self, .init(), on: app.db)
            try await app.runDueJobs()  // the upkeep releases the held sync
            try await app.runDueJobs()  // which now runs
            #expect(try await Enquiry.find(id, on: app.db)?.status == .synced)
        }
    }

    @Test("the intake limit counts an IPv6 /64 as one visitor")
    func intakeGroupsIPv6() async throws {
        try await withApp({ $0.trustProxyHeaders = true; $0.intake.rateLimit = 2 }) { app in
            var statuses: [HTTPStatus] = []
            for host in ["2001:db8:9:9::1", "2001:db8:9:9::abcd", "2001:db8:9:9:ffff::2"] {
                let body = #"{"first_name":"Ada","email":"ada@example.com","message":"Hi","consent":true}"#
                statuses.append(try await app.testing().sendRequest(.POST, "/api/contact", headers: [
                    "Content-Type": "application/json", "X-Forwarded-For": host,
                ], body: ByteBuffer(string: body)).status)
            }
            #expect(statuses == [.created, .created, .tooManyRequests])
        }
    }
}

@Suite("CSV cells")
struct CSVCellTests {
    @Test("a cell holding the tag separator is quoted: spreadsheets in semicolon locales split on it")
    func semicolonsAreQuoted() {
        #expect(CSVCell.field("website-lead;Business Strategy") == "\"website-lead;Business Strategy\"")
        #expect(CSVCell.field("plain") == "plain")
        #expect(CSVCell.field("=1+1") == "'=1+1")
    }
}
