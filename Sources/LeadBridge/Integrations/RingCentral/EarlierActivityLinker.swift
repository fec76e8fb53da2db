import Fluent
import Foundation
import SQLKit

/// A lead often calls or texts before filling in the form. When enquiries are stored, the calls
/// and inbound texts from their phones that no enquiry has yet become theirs (the latest of them
/// when one group holds the same phone twice), in the same transaction, so the enquiry's page
/// shows them from the start. Calls that arrive later are linked by the sync as before.
enum EarlierActivityLinker {
    /// Never fails the enquiries: linking is a courtesy, storing them is not. The statements run
    /// under a savepoint, so that if PostgreSQL picks them as a deadlock's victim (a sync's upsert
    /// locking the same calls in another order) only they are rolled back, and the calls stay
    /// unclaimed.
    ///
    /// SQLite needs no savepoint: it has one writer (no deadlocks), and a failed statement
    /// undoes only itself. Leaving it out spares two round trips to SQLite's thread on every
    /// intake commit.
    static func claim(_ ids: [Int], on db: any Database, now: Date) async {
        guard !ids.isEmpty, let sql = try? db.sql() else { return }
        do {
            try await sql.isolatingFailure("claim_earlier_activity") { try await link(ids, sql, now: now) }
        } catch {
            db.logger.warning("Earlier calls and texts not linked to new enquiries: \(String(describing: error))")
        }
    }

    private static func link(_ ids: [Int], _ sql: any SQLDatabase, now: Date) async throws {
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
