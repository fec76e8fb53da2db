import Fluent
import Foundation
import SQLKit

/// A lock named by a string, held in the database so every process and machine respects it.
/// It expires by itself, so a holder that dies cannot keep it forever.
struct AdvisoryLock: Sendable {
    let name: String
    let holder: String
    let ttl: TimeInterval

    /// True when this holder now has the lock (it was free, expired, or already ours).
    func acquire(on db: any Database, now: Date) async throws -> Bool {
        let sql = try db.sql()
        let rows = try await sql.raw("""
            INSERT INTO advisory_locks (name, holder, expires_at) VALUES (\(bind: name), \(bind: holder), \(bind: now.addingTimeInterval(ttl)))
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE advisory_locks.expires_at < \(bind: now) OR advisory_locks.holder = excluded.holder
            RETURNING name
            """).all()
        return !rows.isEmpty
    }

    func release(on db: any Database) async throws {
        try await db.sql().delete(from: "advisory_locks")
            .where("name", .equal, name).where("holder", .equal, holder).run()
    }
}
