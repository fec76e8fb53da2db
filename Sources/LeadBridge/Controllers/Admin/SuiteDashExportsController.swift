import Fluent
import SQLKit
import Vapor

/// Admin > Integrations > SuiteDash > Exports: generate a CSV, the export history, download,
/// delete, and "Mark as synced" once imported into SuiteDash (the guide's step 4).
struct SuiteDashExportsController {
    struct ExportRow: Encodable {
        let id: Int, fileName: String, rows: Int, bytes: String, sha256: String, filter: String
        let createdBy: String, createdAt: String, status: String
        init(_ export: SuiteDashExport) {
            id = export.id ?? 0; fileName = export.fileName; rows = export.rows
            bytes = ByteCountFormatter.string(fromByteCount: Int64(export.bytes), countStyle: .file)
            sha256 = export.sha256 ?? ""; filter = export.filter ?? ""; createdBy = export.createdBy ?? ""
            createdAt = AdminDate.format(export.createdAt); status = export.status
        }
    }
    struct ListContext: Encodable {
        let title: String, csrf: String, admin: String
        let exports: [ExportRow], notExported: Int, importMode: Bool, notice: String?, statuses: [String]
    }
    struct DetailContext: Encodable {
        let title: String, csrf: String, admin: String
        let export: ExportRow, rows: [EnquiryRow], notice: String?
    }
    struct GenerateForm: Content { var from: String?; var to: String?; var status: String? }
    struct MarkForm: Content { var ids: [Int]? }

    @Sendable func index(req: Request) async throws -> View {
        let exports = try await SuiteDashExport.query(on: req.db).sort(\.$id, .descending).limit(200).all()
        let notExported = try await EnquiryCounts.read(on: req.db).notExported
        let mode = try await req.services.suiteDash.settings.load().mode
        return try await req.view.render("admin/integrations/exports", ListContext(
            title: "SuiteDash exports", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            exports: exports.map(ExportRow.init), notExported: notExported, importMode: mode == .import,
            notice: req.notice, statuses: ["pending", "failed"]))
    }

    @Sendable func generate(req: Request) async throws -> Response {
        let form = try req.content.decode(GenerateForm.self)
        let zone = req.services.config.suiteDash.exportTimeZone
        var filter = SuiteDashExporter.Filter()
        if let from = FormText.nonEmpty(form.from) {
            guard let date = ExportDate.parse(from, timeZone: zone) else {
                throw Abort(.unprocessableEntity, reason: "“From” takes a date like 2026-11-01.")
            }
            filter.createdFrom = date
        }
        if let to = FormText.nonEmpty(form.to) {
            guard let date = ExportDate.parse(to, timeZone: zone) else {
                throw Abort(.unprocessableEntity, reason: "“To” takes a date like 2026-11-30.")
            }
            filter.createdBefore = date.addingTimeInterval(86_400)   // the whole "to" day
        }
        if let status = FormText.nonEmpty(form.status) {
            guard let parsed = EnquiryStatus(rawValue: status) else {
                throw Abort(.unprocessableEntity, reason: "Choose a status from the list.")
            }
            filter.status = parsed
        }
        let admin = try req.auth.require(User.self).email
        switch try await req.services.suiteDash.exporter.export(filter, createdBy: admin) {
        case .empty:
            return redirect(req, "Nothing to export: every enquiry that matches is in an earlier export.")
        case .exported(let export, _):
            return redirect(req, "Export #\(export.id ?? 0) is ready: \(export.rows) enquiries. Download it below.")
        }
    }

    @Sendable func show(req: Request) async throws -> View {
        let export = try await find(req)
        let rows = try await Enquiry.query(on: req.db).filter(\.$exportID == export.id).sort(\.$id).limit(500).all()
        return try await req.view.render("admin/integrations/export", DetailContext(
            title: "Export #\(export.id ?? 0)", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            export: ExportRow(export), rows: rows.map(EnquiryRow.init), notice: req.notice))
    }

    @Sendable func download(req: Request) async throws -> Response {
        let export = try await find(req)
        let path = req.services.suiteDash.exporter.path(for: export)
        guard export.status == "ready", FileManager.default.fileExists(atPath: path) else {
            throw Abort(.gone, reason: Self.missingFileReason(export, config: req.services.config, now: req.services.clock.now()))
        }
        let response = try await req.fileio.asyncStreamFile(at: path, mediaType: HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"]))
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(export.fileName)\"")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// Why a file is not there. Past the retention it was deleted; a younger one on a scaled-out
    /// install (PostgreSQL) was most likely written by another server, into a folder this one
    /// does not share.
    static func missingFileReason(_ export: SuiteDashExport, config: AppConfig, now: Date) -> String {
        let days = config.suiteDash.exportRetentionDays
        let expired = days > 0 && (export.createdAt ?? now) < now.addingTimeInterval(-Double(days) * 86_400)
        if config.databaseURL != nil, !expired {
            return "This export's file is not on this server: another server probably wrote it. With several servers, "
                + "set SUITEDASH_EXPORT_PATH to a folder every server shares (docs/operations.md); until then, download it "
                + "from the server that wrote it, or generate a new export."
        }
        return "This export's file is no longer on the server; generate a new export."
    }

    @Sendable func delete(req: Request) async throws -> Response {
        let export = try await find(req)
        let id = try export.requireID()
        try await req.services.suiteDash.exporter.delete(export)
        return redirect(req, "Export #\(id) and its file are deleted.")
    }

    @Sendable func markSynced(req: Request) async throws -> Response {
        let export = try await find(req)
        let id = try export.requireID()
        let chosen = (try? req.content.decode(MarkForm.self))?.ids ?? []
        let count = try await req.services.suiteDash.exporter.markSynced(exportID: id, only: chosen)
        return req.redirect(to: AdminURL.suiteDashExport(.value(id)).path, notice: "\(count) enquiries marked as synced.")
    }

    private func find(_ req: Request) async throws -> SuiteDashExport {
        guard let id = req.parameters.get("id", as: Int.self), let export = try await SuiteDashExport.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no export with that number; it may have been deleted.")
        }
        return export
    }

    private func redirect(_ req: Request, _ notice: String) -> Response {
        req.redirect(to: AdminURL.suiteDashExports.path, notice: notice)
    }
}
