import Fluent
import Foundation
import SQLKit

/// A lead often calls or texts before filling in the form. When enquiries are stored, the calls
/// and inbound texts from their phones that no enquiry has yet become theirs (the latest of them
/// when one group holds the same phone twice), in the same transaction, so the enquiry's page
/// shows them from the start. Calls that arrive later are linked by the sync as before.
enum EarlierActivityLinker {
    static func claim(_ ids: [Int], on db: any Database, now: Date = Date()) async throws {
        guard !ids.isEmpty else { return }
        let sql = try JobQueue.sql(db)
        // Two lists of placeholders: a bind is one placeholder wherever it appears.
        func idList() -> SQLList { SQLList(ids.map { SQLBind($0) }) }
        try await sql.raw("""
            UPDATE call_logs SET contact_submission_id = (
                SELECT MAX(s.id) FROM contact_submissions s WHERE s.id IN (\(idList())) AND s.phone = call_logs.other_party_phone
            ), updated_at = \(bind: now)
            WHERE contact_submission_id IS NULL
              AND other_party_phone IN (SELECT phone FROM contact_submissions WHERE id IN (\(idList())) AND phone IS NOT NULL)
            """).run()
        try await sql.raw("""
            UPDATE sms_messages SET contact_submission_id = (
                SELECT MAX(s.id) FROM contact_submissions s WHERE s.id IN (\(idList())) AND s.phone = sms_messages.from_number
            ), updated_at = \(bind: now)
            WHERE contact_submission_id IS NULL AND direction = 'inbound'
              AND from_number IN (SELECT phone FROM contact_submissions WHERE id IN (\(idList())) AND phone IS NOT NULL)
            """).run()
    }
}
