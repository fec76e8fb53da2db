import Foundation

/// When LeadBridge rendered a form, signed: `_ts` = `<unix seconds>.<HMAC under APP_KEY>`. A
/// person takes more than a few seconds to fill a form in; a bot posting at once does not. No
/// cookie, so it works on forms embedded in other sites, and a bot cannot write a later time.
enum FormTimestamp {
    static let purpose = "form-rendered-at"

    static func make(_ now: Date, secrets: SecretBox) -> String {
        let seconds = String(Int(now.timeIntervalSince1970))
        return seconds + "." + secrets.mac(seconds, purpose: purpose)
    }

    enum Reading: Equatable {
        case absent
        case forged
        case rendered(Date)
    }

    static func read(_ value: String?, secrets: SecretBox) -> Reading {
        guard let value, !value.isEmpty else { return .absent }
        let parts = value.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let seconds = Int(parts[0]),
              SecureToken.constantTimeEquals(parts[1], secrets.mac(parts[0], purpose: purpose)) else { return .forged }
        return .rendered(Date(timeIntervalSince1970: Double(seconds)))
    }
}
