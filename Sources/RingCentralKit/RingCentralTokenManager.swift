import Foundation

/// The token policy. Before every call it hands out an access token that is good for at
/// least the refresh margin, refreshing first when it is not; a process runs at most one
/// refresh at a time, shared by every caller that needs it; and the refresh itself runs
/// under the store's cross-process lock, re-reading the stored pair first, so that of two
/// processes racing only one spends the single-use refresh token.
///
/// Renewing means refreshing while a refresh token was issued and has not expired, else (or
/// when RingCentral refuses the refresh token) signing in again with the JWT credential, when
/// there is one; both under the same store lock, so the one-at-a-time rule holds for either.
/// A pair that cannot be renewed (no refresh token, no JWT) is used until it actually
/// expires, and then nothing but a new authorisation helps.
public actor RingCentralTokenManager {
    public struct Statistics: Sendable, Equatable {
        /// Refresh requests this process sent to RingCentral.
        public var refreshesSent = 0
        /// Times a refresh was needed but another process had already done it.
        public var refreshesFoundDone = 0
        /// JWT sign-ins this process sent to renew a pair it could not refresh.
        public var signInsSent = 0
    }

    public let store: any RingCentralTokenStore
    private let oauth: RingCentralOAuth
    /// A JWT credential to sign in with again when the pair cannot be refreshed.
    private let jwt: String?
    private let refreshMargin: TimeInterval
    private let now: @Sendable () -> Date
    private var cached: RingCentralTokenSet?
    private var cachedAt = Date.distantPast
    /// How long a cached pair is trusted before the store is read again: another process
    /// may have reconnected (a new pair) or disconnected meanwhile.
    private let cacheLifetime: TimeInterval = 30
    private var inFlight: Task<RingCentralTokenSet, any Error>?
    public private(set) var statistics = Statistics()

    public init(store: any RingCentralTokenStore, oauth: RingCentralOAuth, jwt: String? = nil, refreshMargin: TimeInterval = 300,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.oauth = oauth
        self.jwt = jwt
        self.refreshMargin = refreshMargin
        self.now = now
    }

    /// An access token good for at least the refresh margin.
    public func validTokens() async throws -> RingCentralTokenSet {
        // A refresh under way ends the current access token when it lands: wait for the new one.
        if let inFlight { return try await inFlight.value }
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
        // A refresh under way gives the token to use (the cached one is about to end).
        if let inFlight { return try await inFlight.value }
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

    private var policy: RenewalPolicy { RenewalPolicy(margin: refreshMargin, signsInWithJWT: jwt != nil, now: now) }

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
            await store.markNeedsReauthorization(error)
            throw error
        }
    }

    private func refreshUnderStoreLock(rejected: String?) async throws -> RingCentralTokenSet {
        let oauth = self.oauth
        let jwt = self.jwt
        let policy = self.policy
        let outcome = Outcome()
        let tokens = try await store.refreshing { stored in
            guard let stored else { throw RingCentralError.notConnected }
            if stored.accessToken != rejected, !policy.isDue(stored) {
                await outcome.count(.foundDone)
                return .keep
            }
            // An expired refresh token is still tried when there is nothing else to try:
            // RingCentral's answer, not this clock, says whether it is dead.
            if let refreshToken = stored.refreshToken, jwt == nil || stored.hasUsableRefreshToken(now: policy.now()) {
                do {
                    let fresh = try await oauth.refresh(refreshToken: refreshToken)
                    await outcome.count(.refreshed)
                    return .replace(fresh)
                } catch let error as RingCentralError where error.needsReauthorization && jwt != nil {
                    await outcome.count(.refreshed)  // refused, but sent: the JWT can still sign in
                }
            }
            guard let jwt else { throw RingCentralError.noRefreshToken }
            let fresh = try await oauth.signIn(jwt: jwt)
            await outcome.count(.signedIn)
            return .replace(fresh)
        }
        let counts = await outcome.counts
        statistics.refreshesSent += counts[.refreshed, default: 0]
        statistics.signInsSent += counts[.signedIn, default: 0]
        statistics.refreshesFoundDone += counts[.foundDone, default: 0]
        return tokens
    }

    private actor Outcome {
        enum Kind { case refreshed, signedIn, foundDone }
        var counts: [Kind: Int] = [:]
        func count(_ kind: Kind) { counts[kind, default: 0] += 1 }
    }
}

/// When a pair is due for renewal: within the margin (the guide's 5 minutes, or half the
/// token's life when RingCentral issues tokens shorter-lived than twice that, otherwise every
/// call would refresh) when it can be renewed; only once expired when it cannot, since there
/// is nothing to renew it with and it still works until then.
struct RenewalPolicy: Sendable {
    let margin: TimeInterval
    let signsInWithJWT: Bool
    let now: @Sendable () -> Date

    func canRenew(_ tokens: RingCentralTokenSet) -> Bool {
        tokens.refreshToken != nil || signsInWithJWT
    }

    func isDue(_ tokens: RingCentralTokenSet) -> Bool {
        let margin = canRenew(tokens) ? min(self.margin, Double(tokens.expiresIn) / 2) : 0
        return tokens.expires(within: margin, now: now())
    }
}
