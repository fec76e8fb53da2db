import Fluent
import Foundation
import SQLKit
import Vapor

/// A browser an admin has signed in with before. After a good sign-in it gets a signed cookie
/// (the user's id, the date and the account's known-browser generation, with an HMAC under a
/// key derived from `APP_KEY`); a sign-in from a browser carrying one for that account is not
/// held by the account's per-minute budget, so a botnet guessing at the account never keeps its
/// owner out of their own browsers. The cookie proves nothing else: the password is still
/// checked, and the limits per address still apply.
///
/// A password reset or "sign out everywhere" says a browser may be in the wrong hands, so both
/// move the account to its next generation (`forgetAll`): every cookie issued before counts for
/// nothing, and a browser is known again only after its next good sign-in.
enum KnownDevice {
    static let purpose = "known-device"
    static let lifetime: TimeInterval = 365 * 24 * 3600

    static func cookieName(secure: Bool) -> String { secure ? "__Host-leadbridge_device" : "leadbridge_device" }

    /// True when the request carries a valid cookie for `user` of its current generation.
    static func isKnown(_ request: Request, user: User?) -> Bool {
        let services = request.services
        guard let user, let userID = user.id,
              let value = request.cookies[cookieName(secure: services.config.usesHTTPS)]?.string else { return false }
        let parts = value.split(separator: ".")
        // id.issued.generation.mac; a cookie from before generations (id.issued.mac) is generation 0.
        guard parts.count == 3 || parts.count == 4, Int(parts[0]) == userID, let issued = TimeInterval(parts[1]),
              services.clock.now().timeIntervalSince1970 - issued < lifetime else { return false }
        let generation = parts.count == 4 ? Int(parts[2]) : 0
        guard generation == user.knownDeviceGeneration else { return false }
        let expected = services.secrets.mac(parts.dropLast().joined(separator: "."), purpose: purpose)
        return SecureToken.constantTimeEquals(String(parts[parts.count - 1]), expected)
    }

    /// Marks this browser as one `user` signs in with, in the account's current generation.
    static func remember(_ user: User, _ request: Request, on response: Response) {
        guard let id = user.id else { return }
        let services = request.services
        let body = "\(id).\(Int(services.clock.now().timeIntervalSince1970)).\(user.knownDeviceGeneration)"
        let value = body + "." + services.secrets.mac(body, purpose: purpose)
        let secure = services.config.usesHTTPS
        response.cookies[cookieName(secure: secure)] = HTTPCookies.Value(
            string: value, expires: services.clock.now().addingTimeInterval(lifetime), maxAge: Int(lifetime),
            path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }

    /// Every browser `userID` signed in with before is a new one again (one atomic step, in the
    /// caller's transaction).
    static func forgetAll(of userID: Int, on db: any Database) async throws {
        try await db.sql().raw("""
            UPDATE users SET known_device_generation = known_device_generation + 1 WHERE id = \(bind: userID)
            """).run()
    }
}
