import Fluent
import Foundation
import Testing
import Vapor
@testable import LeadBridge

@Suite("Grouped enquiry commits")
struct EnquiryWriterTests {
    static func row(_ name: String) -> EnquiryWriter.Row {
        EnquiryWriter.Row(
            enquiry: ValidEnquiry(firstName: name, lastName: nil, email: "\(name.lowercased())@example.com", phone: nil,
                                  company: nil, serviceInterest: nil, message: "from \(name)", source: "website", consent: true),
            origin: .init(ip: "192.0.2.1", userAgent: "test"), receivedAt: Date())
    }

    @Test func concurrentEnquiriesEachGetTheIdOfTheirOwnRow() async throws {
        try await withApp { app in
            let writer = app.services.enquiryWriter
            let names = (0..<300).map { "Lead\($0)" }
            let ids = try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for name in names { group.addTask { (name, try await writer.insert(Self.row(name))) } }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(Set(ids.values).count == 300)
            let rows = try await Enquiry.query(on: app.db).all()
            #expect(rows.count == 300)
            for row in rows {
                #expect(ids[row.firstName] == row.id, "\(row.firstName)")
                #expect(row.email == row.firstName.lowercased() + "@example.com")
                #expect(row.status == .pending)
                #expect(row.consentAt != nil)
                #expect(row.createdAt != nil)
            }
        }
    }

    @Test func aRefusedRowFailsAloneAndTheRestOfItsGroupIsStored() async throws {
        try await withApp { app in
            let writer = app.services.enquiryWriter
            // An empty first name breaks the table's CHECK on both databases.
            let results = await withTaskGroup(of: (String, Bool).self) { group in
                for index in 0..<200 {
                    let name = index == 150 ? "" : "Good\(index)"
                    group.addTask { (name, (try? await writer.insert(Self.row(name))) != nil) }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(results[""] == false)
            #expect(results.filter { $0.value }.count == 199)
            let stored = try await Enquiry.query(on: app.db).count()
            #expect(stored == 199)
            // The refused row arrived in a group with others (two hundred at once cannot all commit
            // alone), so the group was split: this test is about that path, not a lone row.
            #expect(await writer.splitGroups >= 1)
        }
    }

    /// SQLite's search index is written off the intake path (039): the writer indexes its
    /// enquiries once a batch of them waits, in a step of its own after a commit; until then
    /// they wait in the backlog (and the search reads them row by row).
    @Test(.enabled(if: !TestDatabase.isPostgres, "PostgreSQL's index is written with the row"))
    func theWriterIndexesItsEnquiriesOnceABatchWaits() async throws {
        try await withApp { app in
            let writer = EnquiryWriter(database: LateDatabase(app: app), followUps: nil, indexesSearch: true, indexBatch: 2)
            func inIndex(_ text: String) async throws -> Int {
                try await app.db.sql().raw("""
                    SELECT COUNT(*) AS n FROM contact_submissions_search WHERE contact_submissions_search MATCH \(bind: "person : \"" + text + "\"")
                    """).first()?.decode(column: "n", as: Int.self) ?? -1
            }
            _ = try await writer.insert(Self.row("Una"))
            #expect(try await EnquirySearchBacklog.count(on: app.db) == 1)
            #expect(try await inIndex("una@example.com") == 0)
            _ = try await writer.insert(Self.row("Duo"))
            // The step after Duo's commit ends before the writer takes the next enquiry.
            _ = try await writer.insert(Self.row("Tria"))
            #expect(try await EnquirySearchBacklog.count(on: app.db) == 1, "only Tria waits")
            #expect(try await inIndex("una@example.com") == 1)
            #expect(try await inIndex("duo@example.com") == 1)
            #expect(try await inIndex("tria@example.com") == 0)
            #expect(try await EnquirySearch.matchingIDs("example.com", status: nil, offset: 0, limit: 10, on: app.db).count == 3,
                    "the search finds the indexed and the waiting alike")
        }
    }
}
