import FluentSQLiteDriver
import Foundation
import SQLKit

/// SQLite's export claim. The rows are read by position straight from sqlite-nio: Codable
/// for every cell was most of an export's time.
struct SQLiteExportClaimer: ExportClaimer {
    let sqlite: any SQLiteDatabase
    let exportID: Int
    let filter: SuiteDashExporter.Filter
    let now: Date

    /// Nil when the database is not SQLite.
    init?(database: any SQLDatabase, exportID: Int, filter: SuiteDashExporter.Filter, now: Date) {
        guard let sqlite = database as? any SQLiteDatabase else { return nil }
        self.sqlite = sqlite
        self.exportID = exportID
        self.filter = filter
        self.now = now
    }

    func claimPage(after lastID: Int, limit: Int) async throws -> [ExportRecord] {
        // The same conditions as `Filter.conditions`, with sqlite-nio's positional binds
        // (this path skips SQLKit); keep the two in step.
        var conditions = ["id > ?3", "status <> 'spam'"]
        var binds: [SQLiteData] = [.integer(exportID), .float(now.timeIntervalSince1970), .integer(lastID), .integer(limit)]
        if !filter.includeExported { conditions.append("export_id IS NULL AND exported_at IS NULL") }
        if let from = filter.createdFrom { binds.append(.float(from.timeIntervalSince1970)); conditions.append("created_at >= ?\(binds.count)") }
        if let before = filter.createdBefore { binds.append(.float(before.timeIntervalSince1970)); conditions.append("created_at < ?\(binds.count)") }
        if let status = filter.status { binds.append(.text(status.rawValue)); conditions.append("status = ?\(binds.count)") }
        let rows: [SQLiteRow] = try await sqlite.query("""
            UPDATE contact_submissions SET export_id = ?1, exported_at = ?2, updated_at = ?2,
                status = CASE WHEN status = 'synced' THEN 'synced' ELSE 'exported' END
            WHERE id IN (SELECT id FROM contact_submissions WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?4)
            RETURNING \(ExportRecord.returning)
            """, binds)
        return rows.map(Self.record).sorted { $0.id < $1.id }
    }

    /// Cells arrive in `ExportRecord.columns` order.
    private static func record(_ row: SQLiteRow) -> ExportRecord {
        let values = row.columns.map(\.data)
        func cell(_ column: Enquiry.Column) -> SQLiteData { values[position[column]!] }
        return ExportRecord(
            id: Int(cell(.id).integer ?? 0), firstName: cell(.firstName).string ?? "", lastName: cell(.lastName).string,
            email: cell(.email).string, phone: cell(.phone).string, company: cell(.company).string,
            serviceInterest: cell(.serviceInterest).string, message: cell(.message).string, source: cell(.source).string ?? "",
            createdAt: Date(sqliteData: cell(.createdAt)),
            formID: cell(.formID).integer, extraFieldsJSON: cell(.extraFields).string, channel: cell(.channel).string,
            utmSource: cell(.utmSource).string, utmMedium: cell(.utmMedium).string, utmCampaign: cell(.utmCampaign).string)
    }

    private static let position = Dictionary(uniqueKeysWithValues: ExportRecord.columns.enumerated().map { ($1, $0) })
}
