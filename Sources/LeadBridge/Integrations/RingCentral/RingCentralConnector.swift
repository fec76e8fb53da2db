import Fluent
import Foundation
import RingCentralKit
import Vapor

/// Connecting and disconnecting the RingCentral account: the OAuth round trip (state and
/// PKCE kept server-side, sealed) and its first token exchange, or a JWT sign-in, then one
/// save path for both: a snapshot of the account, extension and numbers, and the tokens.
struct RingCentralConnector {
    /// How long a Connect click stays valid (RingCentral's own codes live 60 s; a person
    /// reading the consent page may take longer).
    static let pendingLifetime: TimeInterval = 10 * 60
    private static let verifierContext = "integration_settings.ringcentral.pending_oauth_verifier"

    let service: RingCentralService

    /// Starts a connect: remembers a fresh state and PKCE verifier and returns the authorize
    /// URL and the state (which also goes into a cookie bound to this browser).
    /// `configuration` is the caller's: it has already read the settings (opening sealed values).
    func start(_ configuration: RingCentralSettings, now: Date) async throws -> (url: String, state: String) {
        let oauth = try service.oauth(configuration)
        let state = SecureToken.make()
        let pkce = RingCentralOAuth.PKCE.make()
        try await service.settings.setValues([
            "pending_oauth_state": state,
            "pending_oauth_verifier": try service.context.secrets.seal(pkce.verifier, context: Self.verifierContext),
            "pending_oauth_started_at": String(now.timeIntervalSince1970),
        ])
        return (oauth.authorizationURL(state: state, pkce: pkce), state)
    }

    enum CallbackError: Error, CustomStringConvertible {
        case denied(String)
        case badState
        case missingCode
        case failed(String)

        var description: String {
            switch self {
            case .denied(let reason): return "RingCentral did not grant access: \(reason). Nothing was stored; you can try Connect again."
            case .badState:
                return "This sign-in link is not one LeadBridge started, or it has expired. Nothing was stored; start again with Connect RingCentral."
            case .missingCode: return "RingCentral came back without an authorisation code. Nothing was stored; try Connect again."
            case .failed(let reason): return "Connecting RingCentral failed: \(reason) Nothing was stored."
            }
        }
    }

    /// Finishes a connect from the redirect's query. `cookieState` is what this browser was
    /// given at start; both must equal the pending state, which is used once.
    func finish(code: String?, state: String?, error: String?, errorDescription: String?, cookieState: String?,
                now: Date) async throws -> RingCentralAccountRecord {
        let store = try service.settings
        let pending = try await store.values()
        let pendingState = pending["pending_oauth_state"]
        let startedAt = pending["pending_oauth_started_at"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
        let sealedVerifier = pending["pending_oauth_verifier"]
        guard let state, let pendingState, let cookieState,
              SecureToken.constantTimeEquals(state, pendingState), SecureToken.constantTimeEquals(cookieState, pendingState),
              let startedAt, now.timeIntervalSince(startedAt) < Self.pendingLifetime, let sealedVerifier else {
            throw CallbackError.badState
        }
        // Used once, whatever happens next.
        try await clearPending()
        if let error {
            throw CallbackError.denied(TextSanitizer.singleLine(errorDescription ?? error).prefix(200).description)
        }
        guard let code, !code.isEmpty, code.count < 2000 else { throw CallbackError.missingCode }

        let verifier = try service.context.secrets.open(sealedVerifier, context: Self.verifierContext)
        let configuration = try await store.load()
        do {
            let tokens = try await service.oauth(configuration).exchange(code: code, codeVerifier: verifier)
            return try await connect(with: tokens, configuration)
        } catch let error as RingCentralError {
            throw CallbackError.failed(error.description)
        }
    }

    /// "Connect with JWT": signs in with the JWT credential (no browser round trip) and saves
    /// the connection as the OAuth callback does. A refused credential is `jwtRefused`.
    func connectWithJWT(_ configuration: RingCentralSettings) async throws -> RingCentralAccountRecord {
        guard let jwt = configuration.jwt else { throw RingCentralError.notConnected }
        // A person waits on the button: no pacing wait of minutes.
        let tokens = try await service.oauth(configuration, options: .interactive).signIn(jwt: jwt)
        return try await connect(with: tokens, configuration)
    }

    /// Both flows end here. The snapshot is fetched with the new tokens before anything is
    /// stored, so a failure leaves the previous connection (if any) as it was; then the jobs
    /// held for RingCentral go on.
    private func connect(with tokens: RingCentralTokenSet, _ configuration: RingCentralSettings) async throws -> RingCentralAccountRecord {
        let probe = InMemoryRingCentralTokenStore(tokens)
        let client = RingCentralClient(
            serverURL: configuration.serverURL,
            tokens: RingCentralTokenManager(store: probe, oauth: try service.oauth(configuration)),
            httpClient: service.context.httpClient, limiter: service.limiter,
            options: .interactive, observer: service.observer(relatedType: nil, relatedID: nil))
        let account = try await client.account()
        let info = try await client.extensionInfo()
        let numbers = try await client.phoneNumbers()
        let saved = try await save(tokens: try await probe.load() ?? tokens, account: account, extension: info, numbers: numbers)
        await service.forgetCachedTokens()
        _ = try await service.context.jobQueue.resume(waitingFor: RingCentralService.waitKey, on: service.context.db)
        return saved
    }

    /// Revokes the tokens at RingCentral (its errors ignored: the tokens are forgotten here
    /// either way) and deletes them and the account snapshot.
    func disconnect() async throws {
        try await forget(revokingAt: try await service.settings.load())
    }

    /// Revokes the tokens at the server that issued them (`configuration`, which may be the
    /// settings from before a change of server) and deletes them and the account snapshot.
    func forget(revokingAt configuration: RingCentralSettings) async throws {
        let current = try? await service.tokenRepository.load()
        if let current, let oauth = try? service.oauth(configuration) {
            // Revoking either token ends the whole session (the spec's revokeToken).
            await oauth.revoke(token: current.refreshToken ?? current.accessToken)
        }
        try await service.context.db.transaction { tx in
            try await RingCentralTokenRecord.query(on: tx).delete()
            try await RingCentralAccountRecord.query(on: tx).delete()
            try await service.settings(on: tx).setConnected(false, at: service.context.clock.now())
        }
        await service.forgetCachedTokens()
    }

    /// Saves settings that name another server. Tokens belong to the server that issued them:
    /// they are read into memory first, then deleted in the very transaction that saves the new
    /// address (no moment, for any other process, has the new server beside the old tokens), and
    /// only then revoked at the old server (`old`, the settings from before), from memory. True
    /// when there was a connection to end.
    func saveMovingServer(_ form: RingCentralSettingsStore.Form, from old: RingCentralSettings) async throws -> Bool {
        let tokens = try? await service.tokenRepository.load()
        try await service.settings.save(form, endingConnection: true)
        await service.forgetCachedTokens()
        if let tokens, let oauth = try? service.oauth(old) {
            // Its errors are ignored: the tokens are gone here either way.
            await oauth.revoke(token: tokens.refreshToken ?? tokens.accessToken)
        }
        return tokens != nil
    }

    /// Re-reads the account, extension and numbers (after numbers change at RingCentral).
    func refreshSnapshot() async throws -> RingCentralAccountRecord {
        let client = try await service.client(options: .interactive)
        let account = try await client.account()
        let info = try await client.extensionInfo()
        let numbers = try await client.phoneNumbers()
        return try await service.context.db.writeTransaction { tx in
            let row = try await RingCentralAccountRecord.query(on: tx).first() ?? RingCentralAccountRecord()
            Self.apply(account: account, extension: info, numbers: numbers, to: row)
            try await row.save(on: tx)
            return row
        }
    }

    private func save(tokens: RingCentralTokenSet, account: RingCentralAccount, extension info: RingCentralExtension,
                      numbers: [RingCentralPhoneNumber]) async throws -> RingCentralAccountRecord {
        try await service.context.db.transaction { tx in
            try await RingCentralAccountRecord.query(on: tx).filter(\.$accountID != String(account.id)).delete()
            let row = try await RingCentralAccountRecord.query(on: tx).filter(\.$accountID == String(account.id)).first()
                ?? RingCentralAccountRecord()
            Self.apply(account: account, extension: info, numbers: numbers, to: row)
            try await row.save(on: tx)
            try await service.tokenRepository.replaceAll(with: tokens, accountRowID: row.id, on: tx)
            try await service.settings(on: tx).setConnected(true, at: service.context.clock.now())
            return row
        }
    }

    private static func apply(account: RingCentralAccount, extension info: RingCentralExtension, numbers: [RingCentralPhoneNumber],
                              to row: RingCentralAccountRecord) {
        row.accountID = String(account.id)
        row.name = info.contact?.company ?? account.serviceInfo?.brand?.name
        row.mainNumber = account.mainNumber
        row.status = account.status
        row.extensions = RingCentralExtensionList([RingCentralExtensionSnapshot(
            id: String(info.id), extensionNumber: info.extensionNumber, name: info.name, email: info.contact?.email,
            phoneNumbers: numbers.map { .init(phoneNumber: $0.phoneNumber, usageType: $0.usageType, features: $0.features ?? []) })])
    }

    private func clearPending() async throws {
        try await service.settings.setValues(["pending_oauth_state": nil, "pending_oauth_verifier": nil, "pending_oauth_started_at": nil])
    }
}
