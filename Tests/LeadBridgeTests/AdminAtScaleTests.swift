import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// What keeps the admin quick at a million enquiries (issue #16) must also keep it right: the
/// counts the database keeps, the search index, and lists counted up to a cap.
@Suite struct AdminAtScaleTests {
    @discardableResult
    private func enquiry(_ app: Application, _ first: String, last: String? = nil, email: String? = nil,
                         phone: String? = nil, company: String? = nil, status: EnquiryStatus = .pending) async throws -> Enquiry {
        let row = Enquiry()
        row.firstName = first; row.lastName = last; row.email = email; row.phone = phone; row.company = company
        row.source = "website"; row.consent = true; row.status = status
        try await row.create(on: app.db)
        return row
    }

    /// What the counts must say: counted the slow way.
    private func counted(_ app: Application) async throws -> EnquiryCounts {
        var counts = EnquiryCounts()
        for status in EnquiryStatus.allCases {
            let count = try await Enquiry.query(on: app.db).filter(\.$status == status).count()
            if count > 0 { counts.byStatus[status] = count }
        }
        counts.exported = try await Enquiry.query(on: app.db).filter(\.$exportedAt != nil).count()
        return counts
    }

    @Test func theKeptCountsFollowEveryInsertChangeExportAndDelete() async throws {
        try await withApp { app in
            let ada = try await enquiry(app, "Ada")
            let bob = try await enquiry(app, "Bob", status: .failed)
            try await enquiry(app, "Cy", status: .synced)
            #expect(try await EnquiryCounts.read(on: app.db) == counted(app))
            #expect(try await EnquiryCounts.read(on: app.db).total == 3)

            ada.status = .synced
            try await ada.save(on: app.db)
            bob.exportedAt = Date(); bob.status = .exported
            try await bob.save(on: app.db)
            // A change that touches neither status nor export leaves no trace in the counts.
            ada.company = "Analytical Engines"
            try await ada.save(on: app.db)
            var counts = try await EnquiryCounts.read(on: app.db)
            #expect(counts == (try await counted(app)))
            #expect(counts.count(.synced) == 2 && counts.count(.exported) == 1 && counts.count(.pending) == 0)
            #expect(counts.exported == 1 && counts.notExported == 2)

            // One UPDATE over many rows, as an export marks them.
            try await Enquiry.query(on: app.db).set(\.$exportedAt, to: Date()).update()
            try await ada.delete(on: app.db)
            counts = try await EnquiryCounts.read(on: app.db)
            #expect(counts == (try await counted(app)))
            #expect(counts.total == 2 && counts.exported == 2)

            // Folding keeps the sums and leaves one row per key.
            try await EnquiryCounts.fold(on: app.db)
            #expect(try await EnquiryCounts.read(on: app.db) == counted(app))
            let rows = try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM enquiry_count_changes").first()?
                .decode(column: "n", as: Int.self)
            #expect(rows == 2, "synced and exported rows, each exported")
        }
    }

    @Test func aReadFoldsTheChangesOnceTheyPileUp() async throws {
        try await withApp { app in
            let sql = app.db as! any SQLDatabase
            for _ in 0...EnquiryCounts.foldThreshold {
                try await sql.raw("INSERT INTO enquiry_count_changes (status, exported, change) VALUES ('pending', 0, 0)").run()
            }
            try await enquiry(app, "Ada")
            #expect(try await EnquiryCounts.read(on: app.db).total == 1)
            let rows = try await sql.raw("SELECT COUNT(*) AS n FROM enquiry_count_changes").first()?.decode(column: "n", as: Int.self)
            #expect(rows == 1)
        }
    }

    /// `indexed`: the enquiries have reached SQLite's search index; otherwise they still wait for
    /// it (039) and the search reads them row by row. Either way the same answers.
    @Test(arguments: [false, true])
    func searchFindsAnyPartOfANameEmailCompanyOrPhoneIgnoringCase(indexed: Bool) async throws {
        try await withApp { app in
            try await app.createAdmin()
            try await enquiry(app, "Ada", last: "Lovelace", email: "ada_l@engines.example", phone: "+14155550100", company: "Analytical Engines")
            try await enquiry(app, "Bob", last: "Babbage", email: "bob@difference.example", phone: "+442079460958", company: "Difference Ltd",
                              status: .synced)
            if indexed { try await EnquirySearchBacklog.indexAll(on: app.db) }
            #expect(try await EnquirySearchBacklog.count(on: app.db) == (indexed || TestDatabase.isPostgres ? 0 : 2))
            let browser = try await app.signedInBrowser()
            func found(_ q: String, status: String = "") async throws -> Set<String> {
                let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let page = try await browser.get("/admin/submissions?q=\(encoded)&status=\(status)")
                #expect(page.status == .ok, "\(q)")
                return Set([("Ada", "ada_l@engines.example"), ("Bob", "bob@difference.example")]
                    .filter { page.text.contains($0.1) }.map(\.0))
            }
            #expect(try await found("LOVE") == ["Ada"])
            #expect(try await found("ada lovelace") == ["Ada"], "the whole name, as a person types it")
            #expect(try await found("engines.EXAMPLE") == ["Ada"])
            #expect(try await found("ytical eng") == ["Ada"], "the company")
            #expect(try await found("415 555") == ["Ada"], "phone digits typed with a space")
            #expect(try await found("(207) 946") == ["Bob"])
            #expect(try await found("+1 (415) 555-01") == ["Ada"], "a phone as people write it")
            #expect(try await found("Lovelace 415") == [], "digits inside other text are not a phone number")
            #expect(try await found("ada_l") == ["Ada"], "an underscore is a character, not a pattern")
            #expect(try await found("a_a") == [], "nor a wildcard")
            #expect(try await found("%") == [])
            #expect(try await found("example") == ["Ada", "Bob"])
            #expect(try await found("example", status: "synced") == ["Bob"])
            #expect(try await found("nobody here") == [])
            // Text that means something to FTS5 or SQL is only text.
            for hostile in ["\"", "ada\" OR \"bob", "NEAR(ada bob)", "person : ada", "*", "') OR 1=1 --", "a\\"] {
                #expect(try await found(hostile).isEmpty, "\(hostile)")
            }
        }
    }

    /// `indexedAt`: when the enquiry reaches the search index: before the edit, after it (so it
    /// is indexed as edited), or never (the search reads it row by row throughout).
    @Test(arguments: ["beforeTheEdit", "afterTheEdit", "never"])
    func searchFollowsEditsAndDeletes(indexedAt: String) async throws {
        try await withApp { app in
            try await app.createAdmin()
            let ada = try await enquiry(app, "Ada", email: "ada@old.example", phone: "+14155550100")
            if indexedAt == "beforeTheEdit" { try await EnquirySearchBacklog.indexAll(on: app.db) }
            let browser = try await app.signedInBrowser()
            #expect(try await browser.get("/admin/submissions?q=old.example").text.contains("ada@old.example"))
            ada.email = "ada@new.example"; ada.phone = "+14155550199"
            try await ada.save(on: app.db)
            if indexedAt == "afterTheEdit" { try await EnquirySearchBacklog.indexAll(on: app.db) }
            #expect(!(try await browser.get("/admin/submissions?q=old.example").text.contains("Ada")))
            #expect(try await browser.get("/admin/submissions?q=new.example").text.contains("ada@new.example"))
            #expect(!(try await browser.get("/admin/submissions?q=5550100").text.contains("ada@new.example")))
            #expect(try await browser.get("/admin/submissions?q=5550199").text.contains("ada@new.example"))
            try await ada.delete(on: app.db)
            #expect(!(try await browser.get("/admin/submissions?q=new.example").text.contains("ada@new.example")))
        }
    }

    /// SQLite reuses the highest id once that enquiry is erased: the index must never be told to
    /// forget what it never held (a contentless FTS5 table would be left wrong), nor find the
    /// erased enquiry under the new one's id.
    @Test(.enabled(if: !TestDatabase.isPostgres, "ids are reused on SQLite"))
    func anErasedEnquirysIdReusedIsSearchedAsTheNewEnquiry() async throws {
        try await withApp { app in
            try await app.createAdmin()
            try await enquiry(app, "Keep", email: "keep@reuse.example")
            let old = try await enquiry(app, "Olga", email: "olga@first.example")
            try await EnquirySearchBacklog.indexAll(on: app.db)
            let oldID = try old.requireID()
            try await old.delete(on: app.db)
            let new = try await enquiry(app, "Nina", email: "nina@second.example")
            #expect(try new.requireID() == oldID, "SQLite gave the new enquiry the erased one's id")
            let browser = try await app.signedInBrowser()
            for indexed in [false, true] {
                if indexed { try await EnquirySearchBacklog.indexAll(on: app.db) }
                #expect(!(try await browser.get("/admin/submissions?q=first.example").text.contains("Olga")), "indexed: \(indexed)")
                #expect(try await browser.get("/admin/submissions?q=second.example").text.contains("nina@second.example"))
            }
            new.email = "nina@third.example"
            try await new.save(on: app.db)
            try await new.delete(on: app.db)
            for q in ["second.example", "third.example", "first.example"] {
                #expect(!(try await browser.get("/admin/submissions?q=\(q)").text.contains("@" + q)), "\(q)")
            }
            #expect(try await browser.get("/admin/submissions?q=reuse.example").text.contains("keep@reuse.example"))
            try await app.db.sql().raw("INSERT INTO contact_submissions_search (contact_submissions_search) VALUES ('integrity-check')").run()
        }
    }

    /// How many enquiries SQLite's search index itself holds for `text` (not the waiting ones).
    private func inIndex(_ app: Application, _ text: String) async throws -> Int {
        try await app.db.sql().raw("""
            SELECT COUNT(*) AS n FROM contact_submissions_search WHERE contact_submissions_search MATCH \(bind: "person : \"" + text + "\"")
            """).first()?.decode(column: "n", as: Int.self) ?? -1
    }

    /// The scheduler's pass every 10 s indexes what a quiet server's writer left waiting.
    @Test(.enabled(if: !TestDatabase.isPostgres, "PostgreSQL's index is written with the row"))
    func theSchedulersPassIndexesWhatWaits() async throws {
        try await withApp { app in
            try await enquiry(app, "Quinn", email: "quinn@quiet.example")
            #expect(try await EnquirySearchBacklog.count(on: app.db) == 1)
            let enqueued = try await Scheduler(queue: app.services.jobQueue).tick([EnquirySearchBacklog.recurringTask()], on: app.db)
            #expect(enqueued == ["search-index"])
            #expect(try await EnquirySearchBacklog.count(on: app.db) == 0)
            #expect(try await inIndex(app, "quinn@quiet.example") == 1)
        }
    }

    /// `migrate --revert` of 039 indexes what still waits, in the same transaction as it puts the
    /// per-commit triggers back, and drops the backlog.
    @Test(.enabled(if: !TestDatabase.isPostgres, "039 changes nothing on PostgreSQL"))
    func reverting039IndexesWhatWaitsFirst() async throws {
        try await withApp { app in
            try await enquiry(app, "Wendy", email: "wendy@waiting.example")
            try await IndexSearchInBatches().revert(on: app.db)
            let backlog = try await app.db.sql().raw("SELECT name FROM sqlite_master WHERE name = \(bind: EnquirySearchBacklog.table)").all()
            #expect(backlog.isEmpty)
            #expect(try await inIndex(app, "wendy@waiting.example") == 1)
            let xavier = try await enquiry(app, "Xavier", email: "xavier@after.example")
            #expect(try await inIndex(app, "xavier@after.example") == 1, "indexed in its own commit again")
            xavier.email = "xavier@edited.example"
            try await xavier.save(on: app.db)
            #expect(try await inIndex(app, "xavier@after.example") == 0)
            #expect(try await inIndex(app, "xavier@edited.example") == 1)
        }
    }

    @Test func aSearchTooShortForTheIndexLooksAtTheNewestAndSaysSo() async throws {
        try await withApp { app in
            try await app.createAdmin()
            try await enquiry(app, "Wu", email: "wu@example.com")
            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin/submissions?q=wu")
            #expect(page.text.contains("wu@example.com"))
            #expect(page.text.contains("One or two characters search the newest 10,000 enquiries"))
            #expect(!(try await browser.get("/admin/submissions?q=wu%40").text.contains("One or two characters")))
        }
    }

    @Test func theListSaysHowManyAndPagesOnWhenThereAreMoreThanItCounts() async throws {
        try await withApp { app in
            try await app.createAdmin()
            for index in 1...30 { try await enquiry(app, "Person\(index)", email: "p\(index)@example.com") }
            let browser = try await app.signedInBrowser()
            let first = try await browser.get("/admin/submissions")
            #expect(first.text.contains("30 enquiries · page 1 of 2"))
            #expect(first.text.contains("page=2"))
            let second = try await browser.get("/admin/submissions?page=2")
            #expect(second.text.contains("p1@example.com") && !second.text.contains("page=3"))
            let searched = try await browser.get("/admin/submissions?q=example.com")
            #expect(searched.text.contains("30 enquiries · page 1 of 2"))
            #expect(try await browser.get("/admin/submissions?q=p3%40").text.contains("1 enquiry · page 1 of 1"))

            // Past the cap, the total is a floor and the pager still goes on.
            let capped = try await ListTotal.counting(Enquiry.query(on: app.db), cap: 10)
            #expect(capped == ListTotal(count: 10, isExact: false))
            #expect(capped.describe("enquiry", "enquiries") == "More than 10 enquiries")
            #expect(capped.pageCount(of: 25) == nil)
            #expect(try await ListTotal.counting(Enquiry.query(on: app.db), cap: 30) == .exact(30))
            #expect(ListTotal.grouped(1_234_567) == "1,234,567" && ListTotal.grouped(999) == "999")
        }
    }
}
