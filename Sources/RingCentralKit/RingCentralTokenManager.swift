import Foundation

/// The token policy. Before every call it hands out an access token that is good for at
/// least the refresh margin, refreshing first when it is not; a process runs at most one
/// refresh at a time, shared by every caller that needs it; and the refresh itself runs
/// under the store's cross-process lock, re-reading the stored pair first, so that of two
/// processes racing only one spends the single-use refresh token.
///
/// A pair without a refresh token (an app set not to issue them) cannot renew itself: it is
/// used until it actually expires, and then nothing but a new authorisation helps.
public actor RingCentralTokenManager {
    public struct Statistics: Sendable, Equatable {
        /// Refresh requests this process sent to RingCentral.
        public var refreshesSent = 0
        /// Times a refresh was needed but another process had already done it.
        public var refreshesFoundDone = 0
    }

    public let store: any RingCentralTokenStore
    private let oauth: RingCentralOAuth
    private let refreshMargin: TimeInterval
    private let now: @Sendable () -> Date
    private var cached: RingCentralTokenSet?
    private var cachedAt = Date.distantPast
    /// How long a cached pair is trusted before the store is read again: another process
    /// may have reconnected (a new pair) or disconnected meanwhile.
    private let cacheLifetime: TimeInterval = 30
    private var inFlight: Task<RingCentralTokenSet, any Error>?
    public private(set) var statistics = Statistics()

    public init(store: any RingCentralTokenStore, oauth: RingCentralOAuth, refreshMargin: TimeInterval = 300,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.oauth = oauth
        self.refreshMargin = refreshMargin
        self.now = now
    }

    /// An access token good for at least the refresh margin.
    public func validTokens() async throws -> RingCentralTokenSet {
        if let cached, !needsRefresh(cached), now().timeIntervalSince(cachedAt) < cacheLifetime { return cached }
        guard let stored = try await store.load() else {
            cached = nil
            throw RingCentralError.notConnected
        }
        cached = stored
        cachedAt = now()
        if !needsRefresh(stored) { return stored }
        return try await refresh(rejected: nil)
    }

    /// RingCentral refused `accessToken` as expired or unknown: get the one to use instead,
    /// refreshing only if nobody (in this process or another) has already.
    public func tokensAfterRejection(of accessToken: String) async throws -> RingCentralTokenSet {
        if let cached, cached.accessToken != accessToken, !needsRefresh(cached) { return cached }
        return try await refresh(rejected: accessToken)
    }

    /// Forget the cached pair (after a reconnect or disconnect): the next call reads the store.
    public func reset() {
        cached = nil
    }

    func needsRefresh(_ tokens: RingCentralTokenSet) -> Bool {
        policy.isDue(tokens)
    }

    private var policy: RenewalPolicy { RenewalPolicy(margin: refreshMargin, now: now) }

    private func refresh(rejected: String?) async throws -> RingCentralTokenSet {
        if let inFlight { return try await inFlight.value }
        let task = Task { try await self.refreshUnderStoreLock(rejected: rejected) }
        inFlight = task
        defer { inFlight = nil }
        do {
            let fresh = try await task.value
            cached = fresh
            cachedAt = now()
            return fresh
        } catch let error as RingCentralError where error == .notConnected {
            cached = nil
            throw error
        } catch let error as RingCentralError where error.needsReauthorization {
            cached = nil
            await store.markNeedsReauthorization(error.description)
            throw error
        }
    }

    private func refreshUnderStoreLock(rejected: String?) async throws -> RingCentralTokenSet {
        let oauth = self.oauth
        let policy = self.policy
        let outcome = Outcome()
        let tokens = try await store.refreshing { stored in
            guard let stored else { throw RingCentralError.notConnected }
            if stored.accessToken != rejected, !policy.isDue(stored) {
                await outcome.set(.foundDone)
                return .keep
            }
            guard let refreshToken = stored.refreshToken else { throw RingCentralError.noRefreshToken }
            let fresh = try await oauth.refresh(refreshToken: refreshToken)
            await outcome.set(.sent)
            return .replace(fresh)
        }
        switch await outcome.value {
        case .sent: statistics.refreshesSent += 1
        case .foundDone: statistics.refreshesFoundDone += 1
        case nil: break
        }
        return tokens
    }

    private actor Outcome {
        enum Kind { case sent, foundDone }
        var value: Kind?
        func set(_ kind: Kind) { value = kind }
    }
}

/// When a pair is due for renewal: within the margin (the guide's 5 minutes, or half the
/// token's life when RingCentral issues tokens shorter-lived than twice that, otherwise every
/// call would refresh) when it can be renewed; only once expired when it cannot, since there
/// is nothing to renew it with and it still works until then.
struct RenewalPolicy: Sendable {
    let margin: TimeInterval
    let now: @Sendable () -> Date

    func canRenew(_ tokens: RingCentralTokenSet) -> Bool {
        tokens.refreshToken != nil
    }

    func isDue(_ tokens: RingCentralTokenSet) -> Bool {
        let margin = canRenew(tokens) ? min(self.margin, Double(tokens.expiresIn) / 2) : 0
        return tokens.expires(within: margin, now: now())
    }
}
