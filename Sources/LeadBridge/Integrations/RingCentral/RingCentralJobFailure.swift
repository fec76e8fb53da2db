import Foundation
import RingCentralKit

extension JobFailure {
    /// What the queue should do about a RingCentral error: wait for a reconnect, wait out
    /// a rate limit exactly, back off on outages, give up on refusals.
    static func from(_ error: RingCentralError) -> JobFailure {
        switch error {
        case .notConnected, .reauthorizationRequired, .noRefreshToken, .jwtRefused, .awaitingReauthorization, .invalidClient,
             .grantTypeNotAllowed, .authorizationCodeRefused:
            return .waitFor(RingCentralService.waitKey, error.forAdmin)
        case .rateLimited(_, let retryAfter):
            return .retryAfter(max(1, retryAfter), error.description)
        case .server, .transport, .unexpectedResponse, .unauthorized:
            return .retry(error.description)
        case .request, .permissionMissing:
            // A missing permission is fixed in RingCentral's consoles, not by waiting: a text
            // sent days later would be stale, so the job stops with the sentence that says what to enable.
            return .permanent(error.description)
        }
    }
}
