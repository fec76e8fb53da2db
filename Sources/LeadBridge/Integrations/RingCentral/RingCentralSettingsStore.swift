import Fluent
import RingCentralKit
import Foundation
import SQLKit

/// Reads and writes RingCentral's row in `integration_settings`. The client secret and the JWT
/// credential are sealed under APP_KEY and never handed back to a browser.
struct RingCentralSettingsStore {
    static let provider = "ringcentral"
    private static let clientIDContext = "integration_settings.credentials.ringcentral.client_id"
    private static let clientSecretContext = "integration_settings.credentials.ringcentral.client_secret"
    private static let jwtContext = "integration_settings.credentials.ringcentral.jwt"

    /// Keys of the row's `settings` that are read or written outside this file too.
    enum Key {
        static let reauthorizationReason = "reauthorization_reason"
        static let callLogSyncMinutes = "call_log_sync_minutes"
        static let callLogLastRun = "call_log_last_run"
        /// "user" or "company": `RingCentralCallLogScope`.
        static let callLogScope = "call_log_scope"
    }
    static let defaultCallLogSyncMinutes = 15

    let database: any Database
    let secrets: SecretBox
    let environment: RingCentralEnvironment

    func load() async throws -> RingCentralSettings {
        var configuration = RingCentralSettings(
            clientID: environment.clientID, clientSecret: environment.clientSecret, serverURL: environment.serverURL,
            redirectURI: environment.redirectURI, webhookSecret: environment.webhookSecret, credentialsFromAdmin: false,
            jwt: environment.jwt, jwtFromAdmin: false, reauthorizationReason: nil, defaultFromNumber: nil, callLogSyncMinutes: Self.defaultCallLogSyncMinutes)
        guard let row = try await existingRow() else { return configuration }
        let settings = row.settings ?? [:]
        configuration.reauthorizationReason = settings[Key.reauthorizationReason]
        configuration.defaultFromNumber = settings["default_from_number"]
        configuration.callLogSyncMinutes = Self.callLogSyncMinutes(settings)
        configuration.callLogScope = Self.callLogScope(settings)
        if !environment.serverURLIsFixed, let url = settings["server_url"], !url.isEmpty { configuration.serverURL = url }
        if let uri = settings["redirect_uri"], !uri.isEmpty { configuration.redirectURI = uri }
        if let sealedID = row.credentials?["client_id"], let sealedSecret = row.credentials?["client_secret"] {
            configuration.clientID = try secrets.open(sealedID, context: Self.clientIDContext)
            configuration.clientSecret = try secrets.open(sealedSecret, context: Self.clientSecretContext)
            configuration.credentialsFromAdmin = true
        }
        if let sealedJWT = row.credentials?["jwt"] {
            configuration.jwt = try secrets.open(sealedJWT, context: Self.jwtContext)
            configuration.jwtFromAdmin = true
        } else if !Self.sameServer(configuration.serverURL, environment.serverURL) {
            // RINGCENTRAL_JWT was issued for the environment's server: it is never sent to
            // another one an admin typed in.
            configuration.jwt = nil
        }
        return configuration
    }

    /// The same RingCentral server, whatever the case of its host or a trailing slash.
    static func sameServer(_ one: String, _ other: String) -> Bool {
        func tidy(_ url: String) -> String {
            var text = url.lowercased()
            while text.hasSuffix("/") { text.removeLast() }
            return text
        }
        return tidy(one) == tidy(other)
    }

    /// What the admin form sends. A blank secret or JWT keeps the stored one; `forgetJWT`
    /// removes the stored JWT (RINGCENTRAL_JWT, if set, is then used again, on its own server).
    struct Form: Sendable {
        var clientID: String?
        var clientSecret: String?
        var jwt: String?
        var forgetJWT = false
        var serverURL: String
        var redirectURI: String
        var defaultFromNumber: String?
        var callLogSyncMinutes: Int
        var callLogScope: RingCentralCallLogScope = .user
    }

    /// Saves the form. A new server address also drops the saved JWT credential (one pasted in
    /// this same form is kept: it is meant for the new server), and with `endingConnection` the
    /// stored tokens and account go in the same transaction, so no moment has the new address
    /// beside the old server's tokens.
    func save(_ form: Form, endingConnection: Bool = false) async throws {
        let current = try await load()
        let serverChanged = !Self.sameServer(form.serverURL, current.serverURL)
        var credentials: [String: String] = [:]
        if form.clientID != nil || form.clientSecret != nil,
           let clientID = form.clientID ?? current.clientID, let secret = form.clientSecret ?? current.clientSecret {
            credentials["client_id"] = try secrets.seal(clientID, context: Self.clientIDContext)
            credentials["client_secret"] = try secrets.seal(secret, context: Self.clientSecretContext)
        }
        if let jwt = form.jwt { credentials["jwt"] = try secrets.seal(jwt, context: Self.jwtContext) }
        try await mutate(also: endingConnection ? Self.endConnection : nil) { [credentials] row, settings in
            settings["server_url"] = form.serverURL
            settings["redirect_uri"] = form.redirectURI
            settings["default_from_number"] = form.defaultFromNumber
            settings[Key.callLogSyncMinutes] = String(form.callLogSyncMinutes)
            settings[Key.callLogScope] = form.callLogScope.rawValue
            // A JWT credential belongs to the server it was issued for.
            if serverChanged, form.jwt == nil { row.credentials?["jwt"] = nil }
            // Only what was entered changes: the JWT and the client pair are kept apart.
            if !credentials.isEmpty { row.credentials = (row.credentials ?? [:]).merging(credentials) { $1 } }
            if form.forgetJWT { row.credentials?["jwt"] = nil }
            if endingConnection {
                settings[Key.reauthorizationReason] = nil
                row.isEnabled = false
            }
        }
    }

    /// The connection's rows, deleted in the settings' transaction.
    @Sendable private static func endConnection(_ tx: any Database) async throws {
        try await RingCentralTokenRecord.query(on: tx).delete()
        try await RingCentralAccountRecord.query(on: tx).delete()
    }

    func setReauthorizationReason(_ reason: String?) async throws {
        try await mutate { row, settings in
            settings[Key.reauthorizationReason] = reason
            row.isEnabled = reason == nil && row.isEnabled
        }
    }

    /// Connected (or disconnected): a fresh start, whatever failed before.
    func setConnected(_ connected: Bool, at date: Date) async throws {
        try await mutate { row, settings in
            settings[Key.reauthorizationReason] = nil
            row.isEnabled = connected
            if connected {
                row.lastTestedAt = date
                row.lastTestSuccess = true
                row.lastTestMessage = "Connected."
            }
        }
    }

    /// A value of the integration's own bookkeeping (like the last call-log sync point).
    func value(_ key: String) async throws -> String? {
        try await values()[key]
    }

    /// All of the bookkeeping in one read, for callers that need several values.
    func values() async throws -> [String: String] {
        try await existingRow()?.settings ?? [:]
    }

    func setValue(_ value: String?, for key: String) async throws {
        try await setValues([key: value])
    }

    /// Several values in one write; nil removes a key.
    func setValues(_ values: [String: String?]) async throws {
        try await mutate { _, settings in
            for (key, value) in values { settings[key] = value }
        }
    }

    /// Read-modify-write of the row under a lock, so that two writers of different keys (a
    /// sync's bookkeeping, a reconnect) never undo each other.
    private func mutate(also: (@Sendable (any Database) async throws -> Void)? = nil,
                        _ change: @escaping @Sendable (IntegrationSetting, inout [String: String]) -> Void) async throws {
        // SQLite: writeTransaction holds the write lock from the start. PostgreSQL: a row lock.
        try await database.writeTransaction { tx in
            try await tx.sql().lockRows("SELECT id FROM integration_settings WHERE provider = \(bind: Self.provider)")
            let row = try await IntegrationSetting.query(on: tx).filter(\.$provider == Self.provider).first()
                ?? IntegrationSetting(provider: Self.provider)
            var settings = row.settings ?? [:]
            change(row, &settings)
            row.settings = settings
            try await row.save(on: tx)
            try await also?(tx)
        }
    }

    /// What the scheduler needs to decide on a call-log sync, read without APP_KEY (it holds no
    /// secrets and opens no credentials): nil while there is no row or re-authorisation is due.
    struct CallLogSchedule: Sendable {
        var minutes: Int
        var lastRun: Date?
    }

    static func callLogSchedule(on db: any Database) async throws -> CallLogSchedule? {
        guard let settings = try await IntegrationSetting.query(on: db).filter(\.$provider == provider).first()?.settings,
              settings[Key.reauthorizationReason] == nil else { return nil }
        return CallLogSchedule(minutes: callLogSyncMinutes(settings),
                               lastRun: settings[Key.callLogLastRun].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)))
    }

    static func callLogScope(_ settings: [String: String]) -> RingCentralCallLogScope {
        settings[Key.callLogScope].flatMap(RingCentralCallLogScope.init(rawValue:)) ?? .user
    }

    private static func callLogSyncMinutes(_ settings: [String: String]) -> Int {
        settings[Key.callLogSyncMinutes].flatMap(Int.init) ?? defaultCallLogSyncMinutes
    }

    private func existingRow() async throws -> IntegrationSetting? {
        try await IntegrationSetting.query(on: database).filter(\.$provider == Self.provider).first()
    }

}
