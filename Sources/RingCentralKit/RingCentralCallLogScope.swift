/// Whose calls a call-log read returns.
public enum RingCentralCallLogScope: String, Sendable, CaseIterable {
    /// The connected user's extension: `GET /account/~/extension/~/call-log` (user permission ReadCallLog).
    case user
    /// Every extension of the account, the main number's calls too: `GET /account/~/call-log`
    /// (user permission FullCompanyCallLog, which RingCentral gives admin roles).
    case company

    var path: String {
        switch self {
        case .user: "/restapi/v1.0/account/~/extension/~/call-log"
        case .company: "/restapi/v1.0/account/~/call-log"
        }
    }
}
