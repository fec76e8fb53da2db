import Fluent
import Foundation
import RingCentralKit
import Vapor

/// Where the app gets RingCentral clients: configured from the current settings, sharing
/// the process's limiter and token manager, each call written to `integration_logs`.
struct RingCentralGateway {
    static let waitKey = "ringcentral"

    let app: Application

    var store: RingCentralSettingsStore { store(on: app.db) }

    func store(on db: any Database) -> RingCentralSettingsStore {
        RingCentralSettingsStore(database: db, secrets: app.services.secrets, environment: app.services.config.ringCentral)
    }

    var tokenRepository: RingCentralTokenRepository {
        RingCentralTokenRepository(database: LateDatabase(app: app), secrets: app.services.secrets,
                                   environment: app.services.config.ringCentral,
                                   lockFilePath: app.services.config.storagePath + "/ringcentral-token.lock")
    }

    func oauth(_ configuration: RingCentralConfiguration, options: RingCentralClientOptions = .init()) throws -> RingCentralOAuth {
        guard let credentials = configuration.credentials else { throw RingCentralGatewayError.notConfigured }
        return RingCentralOAuth(serverURL: configuration.serverURL, credentials: credentials,
                                redirectURI: configuration.redirectURI, httpClient: app.http.client.shared,
                                limiter: app.services.ringCentral.limiter, options: options,
                                observer: observer(relatedType: nil, relatedID: nil))
    }

    /// A client for the connected account. `options` says how patient it is.
    func client(_ configuration: RingCentralConfiguration, options: RingCentralClientOptions = .init(),
                relatedType: String? = nil, relatedID: Int? = nil) throws -> RingCentralClient {
        guard let credentials = configuration.credentials else { throw RingCentralGatewayError.notConfigured }
        let key = RingCentralRuntime.Key(serverURL: configuration.serverURL, clientID: credentials.clientID,
                                         clientSecret: credentials.clientSecret, redirectURI: configuration.redirectURI)
        // The token manager's own OAuth client is patient: a refresh must not give up on pacing.
        let tokenOAuth = try oauth(configuration)
        let manager = app.services.ringCentral.tokenManager(for: key) {
            RingCentralTokenManager(store: tokenRepository, oauth: tokenOAuth)
        }
        return RingCentralClient(serverURL: configuration.serverURL, tokens: manager, httpClient: app.http.client.shared,
                                 limiter: app.services.ringCentral.limiter, options: options,
                                 observer: observer(relatedType: relatedType, relatedID: relatedID))
    }

    /// A client from the current settings.
    func client(options: RingCentralClientOptions = .init(), relatedType: String? = nil, relatedID: Int? = nil) async throws -> RingCentralClient {
        try client(try await store.load(), options: options, relatedType: relatedType, relatedID: relatedID)
    }

    /// Audit lines are written off the caller's path: a refresh runs inside the token row's
    /// lock, and on SQLite a write from another connection would wait for that very lock.
    func observer(relatedType: String?, relatedID: Int?) -> RingCentralCallObserver {
        let writer = IntegrationLogWriter(app: app)
        let pending = app.services.ringCentral.pendingLogs
        return { record in
            let entry = IntegrationLogWriter.Entry(
                provider: RingCentralSettingsStore.provider, action: record.endpoint, relatedType: relatedType,
                relatedID: relatedID, payload: record.requestBody, response: record.responseBody, httpStatus: record.status,
                durationMS: record.durationMilliseconds, errorMessage: record.error.map(String.init(describing:)))
            pending.start { await writer.record(entry) }
        }
    }
}

enum RingCentralGatewayError: Error, CustomStringConvertible {
    case notConfigured
    var description: String {
        "RingCentral is not configured: enter the app's client id and secret (or set RINGCENTRAL_CLIENT_ID and RINGCENTRAL_CLIENT_SECRET)."
    }
}
