import RingCentralKit

extension RingCentralError {
    /// The sentence an admin reads (Admin > RingCentral, a job held for RingCentral): the
    /// library's, finished with where to put it right in LeadBridge when that is here.
    var forAdmin: String {
        switch self {
        case .jwtRefused(let reason):
            return "RingCentral refused the JWT credential (\(reason)): create a new one in RingCentral's developer console and paste it in Admin > RingCentral."
        case .noRefreshToken:
            return "The access token has expired and RingCentral issued no refresh token to renew it: reconnect RingCentral, or paste a JWT credential in Admin > RingCentral and connect with it."
        default:
            return description
        }
    }
}
