import Fluent
import Foundation

/// One sign-in counter: attempts in the current window for a key (an account, or an account
/// from one address; both hashed, so the table holds no email or address in clear).
final class LoginAttempt: Model, @unchecked Sendable {
    static let schema = "login_attempts"

    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "attempts") var attempts: Int
    /// Seconds since 1970: a plain number compares the same way on SQLite and PostgreSQL.
    @Field(key: "window_started") var windowStarted: Double

    init() {}
}
