import ConsoleKit
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

@Suite("SuiteDash import mode: CSV exports")
struct SuiteDashExportTests {
    /// 2026-11-24 09:30:00 UTC.
    static let created = Date(timeIntervalSince1970: 1_795_512_600)

    @discardableResult
    static func enquiry(_ app: Application, first: String, last: String? = nil, email: String? = nil, phone: String? = nil,
                        company: String? = nil, interest: String? = nil, message: String? = nil,
                        at date: Date = created) async throws -> Enquiry {
        let row = Enquiry()
        row.firstName = first; row.lastName = last; row.email = email; row.phone = phone; row.company = company
        row.serviceInterest = interest; row.message = message; row.source = "website"; row.consent = true; row.status = .pending
        try await row.create(on: app.db)
        row.createdAt = date
        try await Enquiry.query(on: app.db).filter(\.$id == row.id!).set(\.$createdAt, to: date).update()
        return row
    }

    static func exportPath(_ app: Application) -> String { app.services.config.storagePath + "/exports" }

    @Test func theFileIsExactlyRightQuotedAndSafe() async throws {
        try await withApp({ config in
            config.suiteDash.exportPath = config.storagePath + "/exports"
            config.suiteDash.exportTimeZone = TimeZone(identifier: "Europe/Paris")!
        }) { app in
            let a = try await Self.enquiry(app, first: "Zoë", last: "Ñúñez", email: "zoe@example.com", phone: "+33612345678",
                                           company: "Acme, \"Global\"", interest: "Business Strategy", message: "Line one\nLine two")
            let b = try await Self.enquiry(app, first: "=SUM(A1:A9)", last: "-2+3", email: "x@example.com", phone: nil,
                                           company: "+cmd|' /C calc'!A0", interest: nil, message: "@import\tthis")
            let c = try await Self.enquiry(app, first: "\tTab", last: "\rReturn", email: nil, phone: "+14155550100",
                                           company: "+123", interest: "Other", message: "plain")

            guard case .exported(let export, let path) = try await app.services.suiteDash.exporter.export(.init(), createdBy: "test") else {
                Issue.record("expected an export"); return
            }
            let expected = [
                "ID,First Name,Last Name,Email,Phone,Company,Service Interest,Message,Source,Created Date,Tags,Form,Channel,UTM Source,UTM Medium,UTM Campaign,Other Fields",
                "\(a.id!),Zoë,Ñúñez,zoe@example.com,+33612345678,\"Acme, \"\"Global\"\"\",Business Strategy,\"Line one\nLine two\",website,2026-11-24T10:30:00+01:00,\"website-lead;Business Strategy\",,,,,,",
                "\(b.id!),'=SUM(A1:A9),'-2+3,x@example.com,,'+cmd|' /C calc'!A0,,'@import\tthis,website,2026-11-24T10:30:00+01:00,website-lead,,,,,,",
                "\(c.id!),'\tTab,\"'\rReturn\",,+14155550100,'+123,Other,plain,website,2026-11-24T10:30:00+01:00,\"website-lead;Other\",,,,,,",
            ].map { $0 + "\r\n" }.joined()
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(String(decoding: bytes, as: UTF8.self) == expected)
            #expect(export.rows == 3)
            #expect(export.bytes == bytes.count)
            #expect(export.sha256?.count == 64)
            #expect(!bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        }
    }

    @Test func theBOMAndTagSeparatorAreSettings() async throws {
        try await withApp({ config in
            config.suiteDash.exportPath = config.storagePath + "/exports"
            config.suiteDash.exportBOM = true
            config.suiteDash.exportTagSeparator = "|"
        }) { app in
            try await Self.enquiry(app, first: "Ada", email: "ada@example.com", interest: "Other")
            guard case .exported(_, let path) = try await app.services.suiteDash.exporter.export(.init(), createdBy: nil) else {
                Issue.record("expected an export"); return
            }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF, UInt8(ascii: "I"), UInt8(ascii: "D")]))
            #expect(String(decoding: bytes, as: UTF8.self).contains(",website-lead|Other,,,,,,\r\n"))
        }
    }

    @Test func anExportMarksItsEnquiriesAndTheNextDoesNotRepeatThem() async throws {
        try await withApp({ $0.suiteDash.exportPath = $0.storagePath + "/exports" }) { app in
            for index in 0..<3 { try await Self.enquiry(app, first: "P\(index)", email: "p\(index)@example.com") }
            let exporter = app.services.suiteDash.exporter
            guard case .exported(let first, _) = try await exporter.export(.init(), createdBy: nil) else { Issue.record("no export"); return }
            let rows = try await Enquiry.query(on: app.db).all()
            #expect(rows.allSatisfy { $0.status == .exported && $0.exportedAt != nil && $0.exportID == first.id })

            guard case .empty = try await exporter.export(.init(), createdBy: nil) else { Issue.record("repeated rows"); return }
            #expect(try await SuiteDashExport.query(on: app.db).count() == 1, "an empty export leaves no record and no file")
            #expect(try FileManager.default.contentsOfDirectory(atPath: Self.exportPath(app)).count == 1)

            try await Self.enquiry(app, first: "New", email: "new@example.com")
            guard case .exported(let second, _) = try await exporter.export(.init(), createdBy: nil) else { Issue.record("no export"); return }
            #expect(second.rows == 1)

            var all = SuiteDashExporter.Filter()
            all.includeExported = true
            guard case .exported(let everything, _) = try await exporter.export(all, createdBy: nil) else { Issue.record("no export"); return }
            #expect(everything.rows == 4)
        }
    }

    @Test func dateAndStatusFiltersNarrowTheExport() async throws {
        try await withApp({ $0.suiteDash.exportPath = $0.storagePath + "/exports" }) { app in
            try await Self.enquiry(app, first: "Old", email: "old@example.com", at: Self.created.addingTimeInterval(-10 * 86_400))
            try await Self.enquiry(app, first: "New", email: "new@example.com")
            var filter = SuiteDashExporter.Filter()
            filter.createdFrom = ExportDate.parse("2026-11-20", timeZone: TimeZone(identifier: "UTC")!)
            guard case .exported(let export, let path) = try await app.services.suiteDash.exporter.export(filter, createdBy: nil) else {
                Issue.record("no export"); return
            }
            #expect(export.rows == 1)
            #expect(try String(contentsOfFile: path, encoding: .utf8).contains(",New,"))
            #expect(try await Enquiry.query(on: app.db).filter(\.$firstName == "Old").first()?.status == .pending)
        }
    }

    @Test func twoExportsAtOnceNeverShareAnEnquiry() async throws {
        try await withApp({ $0.suiteDash.exportPath = $0.storagePath + "/exports" }) { app in
            try await app.services.enquiryWriter.insertMany(app, count: 400)
            let exporter = app.services.suiteDash.exporter
            let outcomes = try await withThrowingTaskGroup(of: SuiteDashExporter.Outcome.self) { group in
                for name in ["one", "two"] { group.addTask { try await exporter.export(.init(), createdBy: name) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var seen: [Int: Int] = [:]
            for outcome in outcomes {
                guard case .exported(_, let path) = outcome else { continue }
                let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\r\n").dropFirst()
                for line in lines { seen[Int(line.split(separator: ",")[0])!, default: 0] += 1 }
            }
            #expect(seen.count == 400, "every enquiry exported")
            #expect(seen.values.allSatisfy { $0 == 1 }, "none in both files")
        }
    }

    @Test func historyDownloadMarkingAndDeleteFromTheAdmin() async throws {
        try await withApp({ $0.suiteDash.exportPath = $0.storagePath + "/exports" }) { app in
            try await app.createAdmin()
            let a = try await Self.enquiry(app, first: "Ada", email: "ada@example.com")
            let b = try await Self.enquiry(app, first: "Bob", email: "bob@example.com")
            let browser = try await app.signedInBrowser()
            #expect(try await browser.post("/admin/integrations/suitedash/exports", form: [:]).location?.contains("ready") == true)
            let export = try #require(try await SuiteDashExport.query(on: app.db).first())
            #expect(try await browser.get("/admin/integrations/suitedash/exports").text.contains(export.fileName))

            let file = try await browser.get("/admin/integrations/suitedash/exports/\(export.id!)/download")
            #expect(file.status == .ok)
            #expect(file.headers.first(name: .contentType)?.hasPrefix("text/csv") == true)
            #expect(file.headers.first(name: .contentDisposition) == "attachment; filename=\"\(export.fileName)\"")
            #expect(file.text.hasPrefix("ID,First Name,"))
            #expect(file.text.contains(",Ada,"))
            #expect(file.body.readableBytes == export.bytes)

            let stranger = Browser(app)
            #expect(try await stranger.get("/admin/integrations/suitedash/exports/\(export.id!)/download").status == .seeOther)

            try await browser.post("/admin/integrations/suitedash/exports/\(export.id!)/mark-synced", form: ["ids[]": "\(a.id!)"])
            #expect(try await Enquiry.find(a.id, on: app.db)?.status == .synced)
            #expect(try await Enquiry.find(b.id, on: app.db)?.status == .exported)
            try await browser.post("/admin/integrations/suitedash/exports/\(export.id!)/mark-synced", form: [:])
            #expect(try await Enquiry.find(b.id, on: app.db)?.status == .synced)

            try await browser.post("/admin/integrations/suitedash/exports/\(export.id!)/delete", form: [:])
            #expect(try await SuiteDashExport.query(on: app.db).count() == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: Self.exportPath(app)).isEmpty)
            #expect(try await browser.get("/admin/integrations/suitedash/exports/\(export.id!)/download").status == .notFound)
        }
    }

    /// Several servers (issue #17): a file another server wrote, into a folder this one does not
    /// share, is explained, not reported as merely gone.
    @Test func aFileThisServerCannotSeeNamesTheSharedFolderSetting() async throws {
        try await withApp({ $0.suiteDash.exportPath = $0.storagePath + "/exports" }) { app in
            try await app.createAdmin()
            try await Self.enquiry(app, first: "Ada", email: "ada@example.com")
            let browser = try await app.signedInBrowser()
            try await browser.post("/admin/integrations/suitedash/exports", form: [:])
            let export = try #require(try await SuiteDashExport.query(on: app.db).first())
            try FileManager.default.removeItem(atPath: app.services.suiteDash.exporter.path(for: export))

            let missing = try await browser.get("/admin/integrations/suitedash/exports/\(export.id!)/download")
            #expect(missing.status == .gone)
            // On PostgreSQL (where several servers may answer) the sentence names the setting.
            #expect(missing.text.contains("SUITEDASH_EXPORT_PATH") == TestDatabase.isPostgres, "\(missing.text)")

            var config = app.services.config
            config.databaseURL = "postgres://elsewhere/db"
            #expect(SuiteDashExportsController.missingFileReason(export, config: config, now: Date()).contains("another server"))
            let old = Date().addingTimeInterval(Double(config.suiteDash.exportRetentionDays + 1) * 86_400)
            #expect(SuiteDashExportsController.missingFileReason(export, config: config, now: old).contains("no longer on the server"),
                    "past the retention it was deleted, wherever it was written")
        }
    }

    @Test func anEmptyExportIsASentenceNotAFile() async throws {
        try await withApp({ $0.suiteDash.exportPath = $0.storagePath + "/exports" }) { app in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let response = try await browser.post("/admin/integrations/suitedash/exports", form: [:])
            #expect(response.location?.contains("Nothing") == true)
            #expect(try await SuiteDashExport.query(on: app.db).count() == 0)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: Self.exportPath(app))) ?? []
            #expect(files.isEmpty, "no file for an empty export")
        }
    }

    @Test func theCommandLineExportWritesWhereItIsTold() async throws {
        try await withApp({ $0.suiteDash.exportPath = $0.storagePath + "/exports" }) { app in
            try await Self.enquiry(app, first: "Ada", email: "ada@example.com")
            let output = app.services.config.storagePath + "/cli-export.csv"
            var context = CommandContext(console: Terminal(), input: CommandInput(arguments: ["leadbridge", "--output", output]))
            context.application = app
            try await SuiteDashCommand.Export().run(using: &context)
            #expect(try String(contentsOfFile: output, encoding: .utf8).contains(",Ada,,ada@example.com,"))
            #expect(try await SuiteDashExport.query(on: app.db).first()?.createdBy == "command line")

            var again = CommandContext(console: Terminal(), input: CommandInput(arguments: ["leadbridge", "--since", "31/12/2026"]))
            again.application = app
            await #expect(throws: UserCommandError.self) { try await SuiteDashCommand.Export().run(using: &again) }
        }
    }
}

extension EnquiryWriter {
    /// Stores `count` plain enquiries through the real write path.
    func insertMany(_ app: Application, count: Int) async throws {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<count {
                group.addTask {
                    try await self.insert(.init(enquiry: ValidEnquiry(firstName: "P\(index)", lastName: nil, email: "p\(index)@example.com",
                        phone: nil, company: nil, serviceInterest: nil, message: nil, source: "website", consent: true),
                        origin: .init(ip: nil, userAgent: nil), receivedAt: Date()))
                }
            }
            try await group.waitForAll()
        }
    }
}
