import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// Writes import mode's CSV: the guide's columns, RFC 4180, safe to open in a spreadsheet.
///
/// An export claims its enquiries a page of 2,000 at a time, marking them exported with its
/// id and reading them back in the same statement (`ExportClaimer`), so two exports started
/// at the same moment can never share an enquiry; it writes each page as it comes, so memory
/// does not grow with the number of rows. If writing fails, the claim is undone and no half
/// file is left.
struct SuiteDashExporter: Sendable {
    struct Filter: Sendable, Equatable {
        var createdFrom: Date?
        var createdBefore: Date?
        var status: EnquiryStatus?
        /// Include enquiries exported before (a full re-export); they move to this export.
        var includeExported = false

        /// The filter as SQL conditions (SQLKit binds), for counting and claiming.
        var conditions: [SQLQueryString] {
            // Spam never leaves LeadBridge.
            var conditions: [SQLQueryString] = ["status <> 'spam'"]
            if !includeExported { conditions.append("export_id IS NULL AND exported_at IS NULL") }
            if let createdFrom { conditions.append("created_at >= \(bind: createdFrom)") }
            if let createdBefore { conditions.append("created_at < \(bind: createdBefore)") }
            if let status { conditions.append("status = \(bind: status.rawValue)") }
            return conditions
        }

        var summary: String {
            var parts = [includeExported ? "every enquiry" : "not yet exported"]
            if let createdFrom { parts.append("created from " + AdminDate.format(createdFrom)) }
            if let createdBefore { parts.append("created before " + AdminDate.format(createdBefore)) }
            if let status { parts.append("status \(status.rawValue)") }
            return parts.joined(separator: ", ")
        }
    }

    enum Outcome: Sendable {
        case empty
        case exported(SuiteDashExport, path: String)
    }

    static let header = ["ID", "First Name", "Last Name", "Email", "Phone", "Company", "Service Interest",
                         "Message", "Source", "Created Date", "Tags"]
    static let attributionHeader = ["Form", "Channel", "UTM Source", "UTM Medium", "UTM Campaign"]
    static let pageSize = 2000

    /// One cell per form field column, then "name: value" of every other extra field.
    static func extraCells(_ values: [ExtraFieldValue], columns: [FormField]) -> [String] {
        let byName = Dictionary(values.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        let known = Set(columns.map(\.name))
        let others = values.filter { !known.contains($0.name) }.map { "\($0.name): \($0.value)" }.joined(separator: "; ")
        return columns.map { byName[$0.name] ?? "" } + [others]
    }

    let service: SuiteDashService

    var directory: String { service.context.config.suiteDash.exportPath }

    func path(for export: SuiteDashExport) -> String { directory + "/" + export.fileName }

    /// Deletes an export and its file. Its enquiries stay exported (they may be in SuiteDash
    /// already); they only lose the link to it.
    func delete(_ export: SuiteDashExport) async throws {
        let id = try export.requireID()
        try? FileManager.default.removeItem(atPath: path(for: export))
        try await service.context.db.transaction { tx in
            try await Enquiry.query(on: tx).filter(\.$exportID == id).set(\.$exportID, to: nil).update()
            try await export.delete(on: tx)
        }
    }

    /// After an import in SuiteDash: the export's enquiries (or the chosen ones among them) are
    /// marked synced. Ids from another export are ignored. Returns how many were marked.
    func markSynced(exportID: Int, only chosen: [Int] = []) async throws -> Int {
        let db = try service.context.db
        var query = Enquiry.query(on: db).filter(\.$exportID == exportID)
        if !chosen.isEmpty { query = query.filter(\.$id ~~ chosen) }
        let count = try await query.count()
        try await query.set(\.$status, to: .synced).set(\.$syncedAt, to: service.context.clock.now()).update()
        return count
    }

    /// Exports what `filter` selects; `output` writes somewhere else than the export folder.
    func export(_ filter: Filter, createdBy: String?, output: String? = nil,
                progress: @Sendable (_ written: Int, _ total: Int) -> Void = { _, _ in }) async throws -> Outcome {
        let db = try service.context.db
        let sql = try db.sql()
        let now = service.context.clock.now()
        let record = SuiteDashExport()
        record.fileName = "suitedash-contacts-\(Self.stamp(now)).csv"
        record.rows = 0
        record.bytes = 0
        record.filter = filter.summary
        record.createdBy = createdBy
        record.status = "writing"
        try await record.create(on: db)
        let id = try record.requireID()
        record.fileName = "suitedash-contacts-\(Self.stamp(now))-\(id).csv"
        let claimer = makeExportClaimer(on: sql, exportID: id, filter: filter, now: now)
        let destination = output ?? path(for: record)

        do {
            let firstPage = try await claimer.claimPage(after: 0, limit: Self.pageSize)
            guard !firstPage.isEmpty else {
                try await record.delete(on: db)
                return .empty
            }
            let total = try await remaining(filter, on: sql) + firstPage.count
            let written = try await write(firstPage: firstPage, claimer: claimer, total: total, to: destination, progress: progress)
            record.rows = written.rows
            record.bytes = written.bytes
            record.sha256 = written.sha256
            record.status = "ready"
            try await record.save(on: db)
            return .exported(record, path: destination)
        } catch {
            try? FileManager.default.removeItem(atPath: destination + ".partial")
            try? await unclaim(exportID: id, on: sql)
            record.status = "failed"
            try? await record.save(on: db)
            throw error
        }
    }

    /// How many more enquiries match (for the progress bar; a concurrent export may take some).
    private func remaining(_ filter: Filter, on sql: any SQLDatabase) async throws -> Int {
        let conditions = filter.conditions
        var query: SQLQueryString = "SELECT COUNT(*) AS n FROM contact_submissions"
        if !conditions.isEmpty { query = query + " WHERE " + conditions.joined(separator: " AND ") }
        return try await sql.raw(query).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    private func unclaim(exportID: Int, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            UPDATE contact_submissions SET export_id = NULL, exported_at = NULL,
                status = CASE WHEN status = 'exported' THEN 'pending' ELSE status END
            WHERE export_id = \(bind: exportID)
            """).run()
    }

    private struct Written { let rows: Int; let bytes: Int; let sha256: String }

    private func write(firstPage: [ExportRecord], claimer: any ExportClaimer, total: Int, to path: String,
                       progress: @Sendable (Int, Int) -> Void) async throws -> Written {
        let settings = service.context.config.suiteDash
        let tagConfiguration = try await service.settings.load()
        // Exports hold people's details: the folder and the files are the server user's alone.
        // (A folder named with --output is the person's own: its permissions are left alone.)
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if folder == directory { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder) }
        let partial = path + ".partial"
        guard FileManager.default.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw Abort(.internalServerError, reason: "The export file could not be created in \(directory); check the folder is writable.")
        }
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: partial))
        var output = CSVOutput(file: file)
        if settings.exportBOM { output.append([0xEF, 0xBB, 0xBF]) }
        // After the guide's 11 columns: the form, where the lead came from, each form's extra
        // fields (one column per field name), and any other field a site sent, in one cell.
        let forms = try await WebForm.query(on: service.context.db).sort(\.$id).all()
        let formNames = Dictionary(forms.compactMap { form in form.id.map { ($0, form.name) } }, uniquingKeysWith: { first, _ in first })
        var extraColumns: [FormField] = []
        for field in forms.flatMap(\.fields) where !extraColumns.contains(where: { $0.name == field.name }) { extraColumns.append(field) }
        output.appendLine((Self.header + Self.attributionHeader + extraColumns.map(\.label) + ["Other Fields"]).map(CSVCell.field))

        var dates = ISO8601Writer(timeZone: settings.exportTimeZone)
        var page = firstPage
        var rows = 0
        while !page.isEmpty {
            for record in page {
                let cells = [
                    String(record.id), record.firstName, record.lastName ?? "", record.email ?? "", record.phone ?? "",
                    record.company ?? "", record.serviceInterest ?? "", record.message ?? "", record.source,
                    record.createdAt.map { dates.string($0) } ?? "",
                    tagConfiguration.tags(serviceInterest: record.serviceInterest).joined(separator: settings.exportTagSeparator),
                    record.formID.flatMap { formNames[$0] } ?? "", record.channel ?? "",
                    record.utmSource ?? "", record.utmMedium ?? "", record.utmCampaign ?? "",
                ] + Self.extraCells(ExtraFieldValue.decode(record.extraFieldsJSON), columns: extraColumns)
                output.appendLine(cells.map(CSVCell.field))
            }
            rows += page.count
            try output.flush()
            progress(rows, max(total, rows))
            page = try await claimer.claimPage(after: page[page.count - 1].id, limit: Self.pageSize)
        }
        try output.finish()
        try file.close()
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: partial, toPath: path)
        return Written(rows: rows, bytes: output.bytes, sha256: output.digest)
    }

    static func stamp(_ date: Date) -> String {
        var writer = ISO8601Writer(timeZone: TimeZone(identifier: "UTC")!)
        return writer.string(date).prefix(19).replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
            .replacingOccurrences(of: "T", with: "-")
    }
}

/// Buffers CSV bytes and writes them out in large pieces, hashing as it goes.
private struct CSVOutput {
    let file: FileHandle
    private var buffer: [UInt8] = []
    private var hasher = SHA256()
    private(set) var bytes = 0

    init(file: FileHandle) {
        self.file = file
        buffer.reserveCapacity(1 << 18)
    }

    mutating func append(_ raw: [UInt8]) { buffer.append(contentsOf: raw) }

    /// A record: cells joined by commas, ended by CRLF (RFC 4180).
    mutating func appendLine(_ cells: [String]) {
        for (index, cell) in cells.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            buffer.append(contentsOf: cell.utf8)
        }
        buffer.append(0x0D)
        buffer.append(0x0A)
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        hasher.update(data: buffer)
        bytes += buffer.count
        try file.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func finish() throws { try flush() }

    var digest: String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}
