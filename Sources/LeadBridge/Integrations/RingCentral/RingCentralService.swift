import Fluent
import Foundation
import NIOConcurrencyHelpers
import RingCentralKit

/// RingCentral as the app uses it, built once at start-up (`app.services.ringCentral`).
///
/// It owns what one process shares across every RingCentral call: one rate limiter
/// (RingCentral counts per user per app, so every caller, in this process and in every other on
/// the same database, draws on the same budget) and one
/// token manager per configuration (so a refresh is in flight at most once per process).
/// Its settings, clients and audit lines are made here; the work is reached through it:
/// `connection` (connect by OAuth or JWT, and disconnect), `phone` (calls and texts), `subscriptions`
/// (webhooks) and `callLog` (call-log sync).
final class RingCentralService: Sendable {
    /// Jobs held because RingCentral needs the admin wait under this key.
    static let waitKey = "ringcentral"

    let context: IntegrationContext
    let limiter: RingCentralRateLimiter
    /// Audit-log writes still under way.
    let pendingLogs = BackgroundTasks()
    private let managers = NIOLockedValueBox<[ManagerKey: RingCentralTokenManager]>([:])

    private struct ManagerKey: Hashable {
        let serverURL: String
        let clientID: String
        let clientSecret: String
        let redirectURI: String
        let jwt: String?
    }

    /// On PostgreSQL, where LeadBridge scales out, the limiter counts each rate-limit window in the
    /// database with every other process (`DatabaseRingCentralBudget`). On SQLite it counts in this
    /// process alone (a slot taken in a write transaction per request stalled a hundred concurrent
    /// callers behind SQLite's one writer); a worker beside the server learns of its requests
    /// only from `X-Rate-Limit-Remaining`.
    init(context: IntegrationContext, limiter: RingCentralRateLimiter? = nil) {
        self.context = context
        budget = context.config.databaseURL.map {
            DatabaseRingCentralBudget(url: $0, logger: context.logger, eventLoop: context.eventLoop)
        }
        self.limiter = limiter ?? RingCentralRateLimiter(shared: budget, now: context.clock.now)
    }

    /// The shared rate-limit budget's own connection, closed at shutdown.
    let budget: DatabaseRingCentralBudget?

    // MARK: The work

    var connection: RingCentralConnector { RingCentralConnector(service: self) }
    var phone: RingCentralMessaging { RingCentralMessaging(service: self) }
    var subscriptions: RingCentralSubscriptions { RingCentralSubscriptions(service: self) }
    var callLog: CallLogSync { CallLogSync(service: self, now: context.clock.now) }

    // MARK: Settings, tokens and clients

    func settings(on db: any Database) -> RingCentralSettingsStore {
        RingCentralSettingsStore(database: db, secrets: context.secrets, environment: context.config.ringCentral)
    }

    /// The settings on the app's default database.
    var settings: RingCentralSettingsStore {
        get throws { settings(on: try context.db) }
    }

    var tokenRepository: RingCentralTokenRepository {
        RingCentralTokenRepository(database: context.database, secrets: context.secrets,
                                   environment: context.config.ringCentral,
                                   lockFilePath: context.config.storagePath + "/ringcentral-token.lock")
    }

    func oauth(_ configuration: RingCentralSettings, options: RingCentralClientOptions = .init()) throws -> RingCentralOAuth {
        guard let credentials = configuration.credentials else { throw RingCentralServiceError.notConfigured }
        return RingCentralOAuth(serverURL: configuration.serverURL, credentials: credentials,
                                redirectURI: configuration.redirectURI, httpClient: context.httpClient,
                                limiter: limiter, options: options,
                                observer: observer(relatedType: nil, relatedID: nil))
    }

    /// A client for the connected account. `options` says how patient it is.
    func client(_ configuration: RingCentralSettings, options: RingCentralClientOptions = .init(),
                relatedType: String? = nil, relatedID: Int? = nil) throws -> RingCentralClient {
        guard let credentials = configuration.credentials else { throw RingCentralServiceError.notConfigured }
        let key = ManagerKey(serverURL: configuration.serverURL, clientID: credentials.clientID,
                             clientSecret: credentials.clientSecret, redirectURI: configuration.redirectURI, jwt: configuration.jwt)
        // The token manager's own OAuth client is patient: a refresh must not give up on pacing.
        let tokenOAuth = try oauth(configuration)
        let repository = tokenRepository
        let manager = tokenManager(for: key) { RingCentralTokenManager(store: repository, oauth: tokenOAuth, jwt: configuration.jwt) }
        return RingCentralClient(serverURL: configuration.serverURL, tokens: manager, httpClient: context.httpClient,
                                 limiter: limiter, options: options,
                                 observer: observer(relatedType: relatedType, relatedID: relatedID))
    }

    /// A client from the current settings.
    func client(options: RingCentralClientOptions = .init(), relatedType: String? = nil, relatedID: Int? = nil) async throws -> RingCentralClient {
        try client(try await settings.load(), options: options, relatedType: relatedType, relatedID: relatedID)
    }

    /// Audit lines are written off the caller's path: a refresh runs inside the token row's
    /// lock, and on SQLite a write from another connection would wait for that very lock.
    func observer(relatedType: String?, relatedID: Int?) -> RingCentralRequestObserver {
        let logs = context.logs
        let pending = pendingLogs
        return { record in
            let entry = IntegrationLogWriter.Entry(
                provider: RingCentralSettingsStore.provider, action: record.endpoint, relatedType: relatedType,
                relatedID: relatedID, payload: record.requestBody, response: record.responseBody, httpStatus: record.status,
                durationMS: record.durationMilliseconds, errorMessage: record.error.map(String.init(describing:)))
            pending.start { await logs.record(entry) }
        }
    }

    private func tokenManager(for key: ManagerKey, make: () -> RingCentralTokenManager) -> RingCentralTokenManager {
        managers.withLockedValue { managers in
            if let existing = managers[key] { return existing }
            // A changed client id, secret or JWT makes the old manager useless: keep only the new one.
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

enum RingCentralServiceError: Error, CustomStringConvertible {
    case notConfigured
    var description: String {
        "RingCentral is not configured: enter the app's client id and secret (or set RINGCENTRAL_CLIENT_ID and RINGCENTRAL_CLIENT_SECRET)."
    }
}
