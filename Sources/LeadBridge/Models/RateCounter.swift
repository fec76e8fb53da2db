import Fluent
import Foundation

/// One counter: events in the current window for a key (sign-in attempts at an account, or at
/// an account from one address, both hashed so the table holds no email or address in clear;
/// SuiteDash syncs started this minute).
final class RateCounter: Model, @unchecked Sendable {
    static let schema = "rate_counters"

    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "attempts") var attempts: Int
    /// Seconds since 1970: a plain number compares the same way on SQLite and PostgreSQL.
    @Field(key: "window_started") var windowStarted: Double

    init() {}
}
