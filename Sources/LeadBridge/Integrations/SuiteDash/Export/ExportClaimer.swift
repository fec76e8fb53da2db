import Foundation
import SQLKit

/// One enquiry as an export writes it.
struct ExportRecord: Sendable {
    /// The columns an export reads back, in the RETURNING clause's order.
    static let columns: [Enquiry.Column] = [
        .id, .firstName, .lastName, .email, .phone, .company, .serviceInterest, .message, .source, .createdAt,
        .formID, .extraFields, .channel, .utmSource, .utmMedium, .utmCampaign,
    ]
    static var returning: String { columns.map(\.rawValue).joined(separator: ", ") }

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
    var formID: Int? = nil
    var extraFieldsJSON: String? = nil
    var channel: String? = nil
    var utmSource: String? = nil
    var utmMedium: String? = nil
    var utmCampaign: String? = nil
}

/// Claims an export's enquiries a page at a time and hands them back, in one statement:
/// `UPDATE … WHERE id IN (next page) RETURNING …`. Marking and reading in a single pass
/// halves the work of a large export, and each page is atomic, so two exports running at
/// once can never claim the same enquiry.
///
/// Each database has its own file: `SQLiteExportClaimer` and `PostgresExportClaimer`.
protocol ExportClaimer: Sendable {
    /// The next `limit` enquiries after `lastID` that the export's filter selects, now marked as its own.
    func claimPage(after lastID: Int, limit: Int) async throws -> [ExportRecord]
}

/// The claimer for the database the app runs on.
func makeExportClaimer(on database: any SQLDatabase, exportID: Int, filter: SuiteDashExporter.Filter,
                       now: Date) -> any ExportClaimer {
    if let sqlite = SQLiteExportClaimer(database: database, exportID: exportID, filter: filter, now: now) {
        return sqlite
    }
    return PostgresExportClaimer(database: database, exportID: exportID, filter: filter, now: now)
}
