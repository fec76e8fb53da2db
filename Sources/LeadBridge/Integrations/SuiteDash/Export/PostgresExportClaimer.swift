import Foundation
import SQLKit

/// PostgreSQL's export claim: the outer `export_id IS NULL` is rechecked after any lock wait,
/// and `SKIP LOCKED` keeps two exports from queueing on each other's rows.
struct PostgresExportClaimer: ExportClaimer {
    let database: any SQLDatabase
    let exportID: Int
    let filter: SuiteDashExporter.Filter
    let now: Date

    func claimPage(after lastID: Int, limit: Int) async throws -> [ExportRecord] {
        let conditions: [SQLQueryString] = ["id > \(bind: lastID)"] + filter.conditions
        let recheck: SQLQueryString = filter.includeExported ? "" : " AND export_id IS NULL"
        let rows = try await database.raw("""
            UPDATE contact_submissions SET export_id = \(bind: exportID), exported_at = \(bind: now), updated_at = \(bind: now),
                status = CASE WHEN status = 'synced' THEN 'synced' ELSE 'exported' END
            WHERE id IN (SELECT id FROM contact_submissions WHERE \(conditions.joined(separator: " AND "))
                         ORDER BY id LIMIT \(bind: limit) FOR UPDATE SKIP LOCKED)\(recheck)
            RETURNING \(unsafeRaw: ExportRecord.returning)
            """).all()
        return try rows.map { row in
            func cell<T: Decodable>(_ column: Enquiry.Column, as type: T.Type) throws -> T {
                try row.decode(column: column.rawValue, as: type)
            }
            return ExportRecord(
                id: try cell(.id, as: Int.self), firstName: try cell(.firstName, as: String.self),
                lastName: try cell(.lastName, as: String?.self), email: try cell(.email, as: String?.self),
                phone: try cell(.phone, as: String?.self), company: try cell(.company, as: String?.self),
                serviceInterest: try cell(.serviceInterest, as: String?.self), message: try cell(.message, as: String?.self),
                source: try cell(.source, as: String.self), createdAt: try cell(.createdAt, as: Date?.self),
                formID: try cell(.formID, as: Int?.self), extraFieldsJSON: try cell(.extraFields, as: String?.self),
                channel: try cell(.channel, as: String?.self), utmSource: try cell(.utmSource, as: String?.self),
                utmMedium: try cell(.utmMedium, as: String?.self), utmCampaign: try cell(.utmCampaign, as: String?.self))
        }.sorted { $0.id < $1.id }
    }
}
