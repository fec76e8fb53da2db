import Foundation
import NIOConcurrencyHelpers
import RingCentralKit

/// What one process shares across every RingCentral call: one rate limiter (RingCentral
/// counts per user per app, so every caller draws on the same budget) and one token
/// manager per configuration (so a refresh is in flight at most once per process).
final class RingCentralRuntime: Sendable {
    let limiter: RingCentralRateLimiter
    /// Audit-log writes still under way.
    let pendingLogs = BackgroundTasks()
    private let managers = NIOLockedValueBox<[Key: RingCentralTokenManager]>([:])

    struct Key: Hashable {
        let serverURL: String
        let clientID: String
        let clientSecret: String
        let redirectURI: String
    }

    init(limiter: RingCentralRateLimiter = RingCentralRateLimiter()) {
        self.limiter = limiter
    }

    func tokenManager(for key: Key, make: () -> RingCentralTokenManager) -> RingCentralTokenManager {
        managers.withLockedValue { managers in
            if let existing = managers[key] { return existing }
            // A changed client id or secret makes the old manager useless: keep only the new one.
            let manager = make()
            managers = [key: manager]
            return manager
        }
    }

    /// After a connect or disconnect: every manager forgets its cached pair.
    func forgetCachedTokens() async {
        for manager in managers.withLockedValue({ Array($0.values) }) { await manager.reset() }
    }
}
