import NIOConcurrencyHelpers
import Vapor

/// A bcrypt hash of nothing in particular, checked when no account matches a sign-in, so a
/// wrong email costs the same time as a wrong password. Made on first use: every command
/// (export, migrate, jobs…) would otherwise pay a quarter second of bcrypt at start-up. Made on
/// the hashing threads, like every other bcrypt a request runs.
final class DecoyPasswordHash: Sendable {
    private let hash = NIOLockedValueBox<String?>(nil)

    func value(using hasher: PasswordHashing) async throws -> String {
        if let ready = hash.withLockedValue({ $0 }) { return ready }
        let made = try await hasher.hash(SecureToken.make())
        return hash.withLockedValue { stored in
            if stored == nil { stored = made }
            return stored!
        }
    }
}
