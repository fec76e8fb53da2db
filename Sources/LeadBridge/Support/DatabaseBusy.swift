import FluentSQLiteDriver
import Foundation

/// SQLite's "database is locked" when it comes back as an error instead of a wait.
///
/// SQLiteNIO makes every lock wait retry in place, so what reaches us are the cases where SQLite
/// refuses without waiting: a transaction that began by reading and must now write after another
/// connection wrote, and a few more inside the WAL. Intake saw it under load with the SuiteDash
/// workers writing (about one group in 100,000 enquiries); the visitor got a 500 and their
/// enquiry was not stored. Nothing was half written (the transaction is rolled back), so the
/// whole transaction can simply run again once the other writer is done.
enum DatabaseBusy {
    static func isBusy(_ error: any Error) -> Bool {
        guard let error = error as? SQLiteError else { return false }
        switch error.reason {
        case .busy, .busyInSnapshot, .busyInRecovery, .busyTimeout, .locked: return true
        default: return false
        }
    }

    /// Runs `body` (a whole transaction) again while SQLite answers busy: 8 tries within about
    /// 0.25 to 0.5 s (doubling pauses from 2 ms, with jitter so two refused writers do not collide
    /// again), longer than any of our write transactions holds the lock. Other errors, and the
    /// last busy, are thrown.
    static func retrying<T>(attempts: Int = 8, _ body: () async throws -> T) async throws -> T {
        var delay: UInt64 = 2_000_000
        for _ in 1..<max(attempts, 1) {
            do { return try await body() } catch where isBusy(error) {
                try await Task.sleep(nanoseconds: delay + UInt64.random(in: 0...delay))
                delay *= 2
            }
        }
        return try await body()
    }
}
