import Fluent
import Foundation
import SQLKit
import SuiteDashKit
import Vapor

/// Where the app gets SuiteDash clients: configured from the current settings, each call
/// written to `integration_logs` against the record it concerns.
struct SuiteDashGateway {
    let app: Application

    var store: SuiteDashSettingsStore { store(on: app.db) }

    /// The settings store on a given connection: inside a transaction, pass the transaction,
    /// or SQLite's one connection per event loop can end up waiting on itself.
    func store(on db: any Database) -> SuiteDashSettingsStore {
        SuiteDashSettingsStore(database: db, secrets: app.services.secrets, environment: app.services.config.suiteDash)
    }

    func client(_ configuration: SuiteDashConfiguration, credentials: SuiteDashClient.Credentials,
                relatedType: String? = nil, relatedID: Int? = nil) -> SuiteDashClient {
        let writer = IntegrationLogWriter(app: app)
        return SuiteDashClient(baseURL: configuration.apiURL, credentials: credentials, httpClient: app.http.client.shared,
                               timeout: .seconds(20)) { record in
            await writer.record(.init(
                provider: SuiteDashSettingsStore.provider, action: record.endpoint, relatedType: relatedType, relatedID: relatedID,
                payload: record.requestBody, response: record.responseBody, httpStatus: record.status,
                durationMS: record.durationMilliseconds, errorMessage: record.error.map(String.init(describing:))))
        }
    }

    /// Calls that reached SuiteDash since the start of this month (UTC): what counts against the plan.
    func callsThisMonth(now: Date = Date()) async throws -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let monthStart = calendar.date(from: calendar.dateComponents([.year, .month], from: now)) ?? now
        return try await IntegrationLog.query(on: app.db)
            .filter(\.$provider == SuiteDashSettingsStore.provider)
            .filter(\.$httpStatus != nil)
            .filter(\.$createdAt >= monthStart)
            .count()
    }
}
