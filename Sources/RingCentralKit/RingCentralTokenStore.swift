import Foundation

/// What the store should do with the tokens it re-read under its lock.
public enum RingCentralTokenRefreshDecision: Sendable {
    /// The stored tokens are still good (another process refreshed them first): use them.
    case keep
    /// Save these before anyone uses them; the old pair is dead at RingCentral already.
    case replace(RingCentralTokenSet)
}

/// Where tokens live. The app implements it on its database so that a refresh is single
/// across processes, not just within one: `refreshing` must hold a lock that every process
/// honours (a row lock, an advisory lock) for the whole of `decide`, hand `decide` the
/// tokens as they are *now* (re-read under the lock), and save a replacement before it
/// releases the lock.
public protocol RingCentralTokenStore: Sendable {
    /// The stored tokens, or nil when RingCentral is not connected.
    func load() async throws -> RingCentralTokenSet?

    /// Runs `decide` under the store's cross-process lock; returns the tokens to use.
    func refreshing(_ decide: @escaping @Sendable (RingCentralTokenSet?) async throws -> RingCentralTokenRefreshDecision)
        async throws -> RingCentralTokenSet

    /// Renewal failed in a way only an admin can fix (`error.needsReauthorization`: a refused
    /// refresh token or JWT credential, no refresh token): the integration needs attention.
    /// The error is typed so the app can say what to do in its own words.
    func markNeedsReauthorization(_ error: RingCentralError) async
}

/// Tokens held in memory: for a single process, tests and scripts.
public actor InMemoryRingCentralTokenStore: RingCentralTokenStore {
    public private(set) var tokens: RingCentralTokenSet?
    public private(set) var reauthorizationReason: String?

    public init(_ tokens: RingCentralTokenSet? = nil) { self.tokens = tokens }

    public func load() async throws -> RingCentralTokenSet? { tokens }

    public func refreshing(_ decide: @escaping @Sendable (RingCentralTokenSet?) async throws -> RingCentralTokenRefreshDecision)
        async throws -> RingCentralTokenSet {
        // An actor is re-entrant across awaits, so the lock is a chain of tasks.
        let previous = lockTail
        let gate = Gate()
        lockTail = gate
        await previous?.wait()
        defer { Task { await gate.open() } }
        switch try await decide(tokens) {
        case .keep:
            guard let tokens else { throw RingCentralError.notConnected }
            return tokens
        case .replace(let fresh):
            tokens = fresh
            return fresh
        }
    }

    public func markNeedsReauthorization(_ error: RingCentralError) async { reauthorizationReason = error.description }

    public func replace(_ tokens: RingCentralTokenSet?) { self.tokens = tokens }

    private var lockTail: Gate?

    private actor Gate {
        private var isOpen = false
        private var waiters: [CheckedContinuation<Void, Never>] = []
        func wait() async {
            if isOpen { return }
            await withCheckedContinuation { waiters.append($0) }
        }
        func open() {
            isOpen = true
            waiters.forEach { $0.resume() }
            waiters = []
        }
    }
}
