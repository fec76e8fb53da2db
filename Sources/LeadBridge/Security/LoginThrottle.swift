import Fluent
import Foundation
import Vapor

/// Checks a password with two brakes on guessing: failures per IP (in memory) and per
/// account (in `users`, so the lock holds across every server sharing the database).
struct LoginThrottle {
    enum Result {
        case success(User)
        case wrongCredentials
        case refused(String, retryAfter: Int)
    }

    let request: Request

    func attempt(email: String, password: String, now: Date) async throws -> Result {
        let settings = request.services.config.loginThrottle
        let ip = request.clientIP(trustProxyHeaders: request.services.config.trustProxyHeaders)
        let limiter = request.services.loginIPLimiter

        let ipState = await limiter.isBlocked(ip, now: now)
        if !ipState.allowed {
            return .refused("Too many failed sign-ins from your network. Try again in \(Self.minutes(ipState.retryAfter)).",
                            retryAfter: ipState.retryAfter)
        }

        let normalised = EmailAddress.normalize(email) ?? email.lowercased()
        let user = try await User.query(on: request.db).filter(\.$email == normalised).first()
        if let user, let lockedUntil = user.lockedUntil, lockedUntil > now {
            let wait = Int(lockedUntil.timeIntervalSince(now).rounded(.up))
            return .refused("This account is locked after too many failed sign-ins. Try again in \(Self.minutes(wait)).",
                            retryAfter: wait)
        }

        // Always run bcrypt, so an unknown email costs the same time as a wrong password.
        let hash: String
        if let user { hash = user.passwordHash }
        else { hash = try await request.services.decoyPasswordHash.value(using: request.password.async) }
        let matches = try await request.password.async.verify(password, created: hash)
        guard let user, matches else {
            _ = await limiter.hit(ip, now: now)
            if let user { try await recordFailure(user, settings: settings, now: now) }
            return .wrongCredentials
        }

        user.failedLoginAttempts = 0
        user.lockedUntil = nil
        user.lastLoginAt = now
        try await user.save(on: request.db)
        return .success(user)
    }

    private func recordFailure(_ user: User, settings: LoginThrottleSettings, now: Date) async throws {
        user.failedLoginAttempts += 1
        if user.failedLoginAttempts >= settings.maxFailuresPerAccount {
            user.lockedUntil = now.addingTimeInterval(TimeInterval(settings.lockSeconds))
            user.failedLoginAttempts = 0
            request.logger.warning("Admin account locked after repeated failed sign-ins", metadata: ["user_id": "\(user.id ?? 0)"])
        }
        try await user.save(on: request.db)
    }

    static func minutes(_ seconds: Int) -> String {
        let minutes = max(1, (seconds + 59) / 60)
        return minutes == 1 ? "a minute" : "\(minutes) minutes"
    }
}
