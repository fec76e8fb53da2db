import Foundation
import Vapor

/// A browser an admin has signed in with before. After a good sign-in it gets a signed cookie
/// (the user's id and the date, with an HMAC under a key derived from `APP_KEY`); a sign-in
/// from a browser carrying one for that account is not held by the account's per-minute
/// budget, so a botnet guessing at the account never keeps its owner out of their own
/// browsers. The cookie proves nothing else: the password is still checked, and the limits
/// per address still apply.
enum KnownDevice {
    static let purpose = "known-device"
    static let lifetime: TimeInterval = 365 * 24 * 3600

    static func cookieName(secure: Bool) -> String { secure ? "__Host-leadbridge_device" : "leadbridge_device" }

    /// True when the request carries a valid cookie for `userID`.
    static func isKnown(_ request: Request, userID: Int?) -> Bool {
        let services = request.services
        guard let userID, let value = request.cookies[cookieName(secure: services.config.usesHTTPS)]?.string else { return false }
        let parts = value.split(separator: ".")
        guard parts.count == 3, Int(parts[0]) == userID, let issued = TimeInterval(parts[1]),
              services.clock.now().timeIntervalSince1970 - issued < lifetime else { return false }
        let expected = services.secrets.mac("\(parts[0]).\(parts[1])", purpose: purpose)
        return SecureToken.constantTimeEquals(String(parts[2]), expected)
    }

    /// Marks this browser as one `user` signs in with.
    static func remember(_ user: User, _ request: Request, on response: Response) {
        guard let id = user.id else { return }
        let services = request.services
        let body = "\(id).\(Int(services.clock.now().timeIntervalSince1970))"
        let value = body + "." + services.secrets.mac(body, purpose: purpose)
        let secure = services.config.usesHTTPS
        response.cookies[cookieName(secure: secure)] = HTTPCookies.Value(
            string: value, expires: services.clock.now().addingTimeInterval(lifetime), maxAge: Int(lifetime),
            path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }
}
