import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Checks a password behind three brakes on guessing, each counted *before* the password is
/// checked, so a burst of parallel guesses is counted guess by guess:
///
/// 1. one address, whatever the account (`LOGIN_MAX_FAILURES_PER_IP` per `LOGIN_LOCK_SECONDS`,
///    in memory, per process; a good sign-in gives its attempt back);
/// 2. one account from one address (`LOGIN_MAX_FAILURES_PER_ACCOUNT` per `LOGIN_LOCK_SECONDS`,
///    in the database, so every server shares it): that address, and only that one, waits;
/// 3. one account from everywhere (`LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_PER_MINUTE`): slows a
///    botnet that brings a new address per guess. A browser the account has signed in with
///    before (`KnownDevice`) is exempt, so the owner is never kept out of their own browsers;
///    a new browser waits at most while an attack lasts, a minute at a time.
///
/// An account refused by 2 or 3 gets exactly the answer, and the bcrypt work, of a wrong
/// password, as an unknown email does: nothing tells a guesser whether the account exists
/// or is being throttled.
struct LoginThrottle {
    enum Result {
        case success(User)
        case wrongCredentials
        /// Only for the address limit, which says nothing about any account.
        case refused(String, retryAfter: Int)
        /// Every place in the line for bcrypt is taken: nothing was checked, try again shortly.
        case busy(String, retryAfter: Int)
    }

    let request: Request

    func attempt(email: String, password: String, now: Date) async throws -> Result {
        let services = request.services
        let settings = services.config.loginThrottle
        let ip = ClientAddress.signInKey(request.clientIP(config: services.config))

        let ipDecision = await services.loginIPLimiter.hit(ip, now: now)
        guard ipDecision.allowed else {
            return .refused("Too many sign-in attempts from your network. Try again in \(Self.minutes(ipDecision.retryAfter)).",
                            retryAfter: ipDecision.retryAfter)
        }

        // A place in bcrypt's line, before any database work: a flood from many addresses is
        // answered here, at once, instead of queueing writes and checks without end. Nothing was
        // checked, so the attempt is given back to the address.
        let admission: PasswordHashing.Admission
        do {
            admission = try services.passwordHashing.admit()
        } catch let busy as PasswordHashing.Busy {
            await services.loginIPLimiter.refund(ip)
            return .busy(busy.reason, retryAfter: busy.retryAfter)
        }
        defer { admission.release() }

        let normalised = EmailAddress.normalize(email) ?? email.lowercased()
        let user = try await User.query(on: request.db).filter(\.$email == normalised).first()
        let counter = RateCounters(database: request.db)
        let pairKey = LoginAttemptKeys.pair(normalised, ip: ip)
        let accountKey = LoginAttemptKeys.account(normalised)
        // Every path below does the same database work and one bcrypt check, whatever it
        // decides: a refusal that answered faster than a wrong password would give it away.
        let pairAllowed = try await counter.reserve(pairKey, limit: settings.maxFailuresPerAccount,
                                                    window: TimeInterval(settings.lockSeconds), now: now)
        // An address already refused for this account spends none of the account's budget:
        // one address alone must not be able to slow the owner down.
        let knownDevice = KnownDevice.isKnown(request, user: user)
        let accountAllowed = try await counter.reserve(accountKey, limit: settings.maxAttemptsPerAccountPerMinute, window: 60,
                                                       now: now, counting: pairAllowed && !knownDevice) || knownDevice

        // An invited admin who has not set a password yet has none to check.
        guard pairAllowed, accountAllowed, let user, user.isActive, !user.passwordHash.isEmpty else {
            // The same work as a real check, against a hash that matches nothing.
            let decoy = try await services.decoyPasswordHash.value(using: services.passwordHashing)
            services.signInChecks.recordDecoy()
            _ = try await services.passwordHashing.verify(password, created: decoy)
            try await countFailure(normalised)
            return .wrongCredentials
        }
        services.signInChecks.record()
        guard try await services.passwordHashing.verify(password, created: user.passwordHash) else {
            try await countFailure(normalised)
            return .wrongCredentials
        }

        await services.loginIPLimiter.refund(ip)
        try await counter.clear([pairKey, accountKey])
        user.failedLoginAttempts = 0
        user.lastLoginAt = now
        try await user.save(on: request.db)
        return .success(user)
    }

    /// One more failed sign-in on the account, if there is one (atomic: parallel failures all count).
    private func countFailure(_ email: String) async throws {
        guard let sql = request.db as? any SQLDatabase else { return }
        try await sql.raw("UPDATE users SET failed_login_attempts = failed_login_attempts + 1 WHERE email = \(bind: email)").run()
    }

    static func minutes(_ seconds: Int) -> String {
        let minutes = max(1, (seconds + 59) / 60)
        return minutes == 1 ? "a minute" : "\(minutes) minutes"
    }
}

/// How many sign-ins reached a password check, real or decoy: the evidence that the brakes
/// hold. An account refused by its own limits still costs a decoy check (its timing must match
/// a wrong password); an address over its limit costs none.
final class SignInChecks: Sendable {
    private let counts = NIOLockedValueBox((real: 0, decoy: 0, hashes: 0))
    func record() { counts.withLockedValue { $0.real += 1 } }
    func recordDecoy() { counts.withLockedValue { $0.decoy += 1 } }
    func recordHash() { counts.withLockedValue { $0.hashes += 1 } }
    /// New passwords hashed by the sign-in pages (first-run setup).
    var passwordsHashed: Int { counts.withLockedValue { $0.hashes } }
    /// Checks of a password against an account's own hash.
    var passwordChecks: Int { counts.withLockedValue { $0.real } }
    /// Every bcrypt verification sign-in ran, decoys included.
    var hashChecks: Int { counts.withLockedValue { $0.real + $0.decoy } }
}
