import FluentSQLiteDriver
import Foundation
import SQLKit

/// One enquiry as an export writes it.
struct ExportRecord: Sendable {
    var id: Int
    var firstName: String
    var lastName: String?
    var email: String?
    var phone: String?
    var company: String?
    var serviceInterest: String?
    var message: String?
    var source: String
    var createdAt: Date?
}

/// Claims an export's enquiries a page at a time and hands them back, in one statement:
/// `UPDATE … WHERE id IN (next page) RETURNING …`. Marking and reading in a single pass
/// halves the work of a large export, and each page is atomic, so two exports running at
/// once can never claim the same enquiry (on PostgreSQL the outer `export_id IS NULL` is
/// rechecked after any lock wait, and `SKIP LOCKED` keeps them from queueing on each other).
///
/// On SQLite the rows are read by position from sqlite-nio: Codable for every cell was
/// most of an export's time. PostgreSQL goes through SQLKit.
struct ExportClaimer {
    static let columns = "id, first_name, last_name, email, phone, company, service_interest, message, source, created_at"
    let database: any SQLDatabase
    let exportID: Int
    let filter: SuiteDashExporter.Filter
    let now: Date

    func claimPage(after lastID: Int, limit: Int) async throws -> [ExportRecord] {
        if let sqlite = database as? any SQLiteDatabase {
            // The same conditions as `Filter.conditions`, with sqlite-nio's positional binds
            // (this path skips SQLKit); keep the two in step.
            var conditions = ["id > ?3"]
            var binds: [SQLiteData] = [.integer(exportID), .float(now.timeIntervalSince1970), .integer(lastID), .integer(limit)]
            if !filter.includeExported { conditions.append("export_id IS NULL AND exported_at IS NULL") }
            if let from = filter.createdFrom { binds.append(.float(from.timeIntervalSince1970)); conditions.append("created_at >= ?\(binds.count)") }
            if let before = filter.createdBefore { binds.append(.float(before.timeIntervalSince1970)); conditions.append("created_at < ?\(binds.count)") }
            if let status = filter.status { binds.append(.text(status.rawValue)); conditions.append("status = ?\(binds.count)") }
            let rows: [SQLiteRow] = try await sqlite.query("""
                UPDATE contact_submissions SET export_id = ?1, exported_at = ?2, updated_at = ?2,
                    status = CASE WHEN status = 'synced' THEN 'synced' ELSE 'exported' END
                WHERE id IN (SELECT id FROM contact_submissions WHERE \(conditions.joined(separator: " AND ")) ORDER BY id LIMIT ?4)
                RETURNING \(Self.columns)
                """, binds)
            return rows.map(Self.record).sorted { $0.id < $1.id }
        }

        let conditions: [SQLQueryString] = ["id > \(bind: lastID)"] + filter.conditions
        let recheck: SQLQueryString = filter.includeExported ? "" : " AND export_id IS NULL"
        let rows = try await database.raw("""
            UPDATE contact_submissions SET export_id = \(bind: exportID), exported_at = \(bind: now), updated_at = \(bind: now),
                status = CASE WHEN status = 'synced' THEN 'synced' ELSE 'exported' END
            WHERE id IN (SELECT id FROM contact_submissions WHERE \(conditions.joined(separator: " AND "))
                         ORDER BY id LIMIT \(bind: limit) FOR UPDATE SKIP LOCKED)\(recheck)
            RETURNING \(unsafeRaw: Self.columns)
            """).all()
        return try rows.map { row in
            ExportRecord(
                id: try row.decode(column: "id", as: Int.self),
                firstName: try row.decode(column: "first_name", as: String.self),
                lastName: try row.decode(column: "last_name", as: String?.self),
                email: try row.decode(column: "email", as: String?.self),
                phone: try row.decode(column: "phone", as: String?.self),
                company: try row.decode(column: "company", as: String?.self),
                serviceInterest: try row.decode(column: "service_interest", as: String?.self),
                message: try row.decode(column: "message", as: String?.self),
                source: try row.decode(column: "source", as: String.self),
                createdAt: try row.decode(column: "created_at", as: Date?.self))
        }.sorted { $0.id < $1.id }
    }

    /// Columns arrive in the RETURNING clause's order.
    private static func record(_ row: SQLiteRow) -> ExportRecord {
        let values = row.columns.map(\.data)
        return ExportRecord(
            id: Int(values[0].integer ?? 0), firstName: values[1].string ?? "", lastName: values[2].string,
            email: values[3].string, phone: values[4].string, company: values[5].string,
            serviceInterest: values[6].string, message: values[7].string, source: values[8].string ?? "",
            createdAt: Date(sqliteData: values[9]))
    }
}
