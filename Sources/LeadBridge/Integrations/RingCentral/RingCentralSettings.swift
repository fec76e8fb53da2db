import Foundation
import RingCentralKit

/// RingCentral's settings as they apply now: the admin's (sealed in `integration_settings`)
/// where saved, else the guide's `RINGCENTRAL_*` environment variables.
struct RingCentralSettings: Sendable, Equatable {
    var clientID: String?
    var clientSecret: String?
    var serverURL: String
    var redirectURI: String
    var webhookSecret: String?
    /// True when the client id and secret were entered in the admin rather than the environment.
    var credentialsFromAdmin: Bool
    /// A JWT credential for JWT sign-in: the admin's (sealed) where saved, else RINGCENTRAL_JWT.
    var jwt: String?
    var jwtFromAdmin: Bool
    /// Set when RingCentral refused the refresh token: nothing works until an admin reconnects.
    var reauthorizationReason: String?
    /// The office phone RingCentral rings first for click-to-call when the admin has none of their own.
    var defaultFromNumber: String?
    /// Minutes between scheduled call-log syncs (0: off).
    var callLogSyncMinutes: Int
    /// Whose calls the call-log sync reads: the connected user's (the default) or the company's.
    var callLogScope: RingCentralCallLogScope = .user

    var credentials: RingCentralOAuth.Credentials? {
        guard let clientID, !clientID.isEmpty, let clientSecret, !clientSecret.isEmpty else { return nil }
        return .init(clientID: clientID, clientSecret: clientSecret)
    }

    var isConfigured: Bool { credentials != nil }
}
