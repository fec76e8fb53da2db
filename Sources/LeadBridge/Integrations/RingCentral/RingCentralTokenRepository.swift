import Fluent
import Foundation
import RingCentralKit
import SQLKit

/// The app's `RingCentralTokenStore`: the pair lives sealed in `ringcentral_tokens`, and a
/// refresh happens inside a transaction that first locks the token row, so that of all the
/// processes sharing the database exactly one spends the single-use refresh token; the
/// others wait, re-read, and find the new pair already saved.
struct RingCentralTokenRepository: RingCentralTokenStore {
    static let accessContext = "ringcentral_tokens.access_token"
    static let refreshContext = "ringcentral_tokens.refresh_token"

    let database: LateDatabase
    let secrets: SecretBox
    let environment: RingCentralEnvironment
    /// SQLite's cross-process refresh lock (a file beside the database).
    let lockFilePath: String

    func load() async throws -> RingCentralTokenSet? {
        let db = try database.database()
        if let reason = try await reauthorizationReason(on: db) {
            throw RingCentralError.awaitingReauthorization(reason)
        }
        guard let row = try await RingCentralTokenRecord.query(on: db).sort(\.$id, .descending).first() else { return nil }
        return try tokens(in: row)
    }

    func refreshing(_ decide: @escaping @Sendable (RingCentralTokenSet?) async throws -> RingCentralTokenRefreshDecision)
        async throws -> RingCentralTokenSet {
        let db = try database.database()
        guard db.sqlDialect == .postgres else {
            // SQLite: a lock file next to the database. Holding SQLite's own write lock across
            // the HTTP refresh would stall every other writer (they wait on pool threads).
            return try await FileLock.withLock(lockFilePath) {
                guard let row = try await RingCentralTokenRecord.query(on: db).sort(\.$id, .descending).first() else {
                    throw RingCentralError.notConnected
                }
                return try await decideAndSave(row, decide, on: db)
            }
        }
        return try await db.transaction { tx in
            // PostgreSQL: the row lock is the lock; the re-read happens under it.
            try await tx.sql().lockRows("SELECT id FROM ringcentral_tokens")
            guard let row = try await RingCentralTokenRecord.query(on: tx).sort(\.$id, .descending).first() else {
                throw RingCentralError.notConnected
            }
            return try await decideAndSave(row, decide, on: tx)
        }
    }

    /// Re-read under the lock: another process may have refreshed while we waited.
    private func decideAndSave(_ row: RingCentralTokenRecord,
                               _ decide: @Sendable (RingCentralTokenSet?) async throws -> RingCentralTokenRefreshDecision,
                               on db: any Database) async throws -> RingCentralTokenSet {
        let current = try tokens(in: row)
        // Another process found the refresh token refused: do not spend a request learning it again.
        if let reason = try await reauthorizationReason(on: db) {
            throw RingCentralError.awaitingReauthorization(reason)
        }
        switch try await decide(current) {
        case .keep:
            return current
        case .replace(let fresh):
            try apply(fresh, to: row)
            try await row.save(on: db)
            return fresh
        }
    }

    func markNeedsReauthorization(_ error: RingCentralError) async {
        guard let db = try? database.database() else { return }
        let store = settings(db)
        guard (try? await reauthorizationReason(on: db)) == nil else { return }
        try? await store.setReauthorizationReason(error.forAdmin)
    }

    /// Only the flag, not `load()`: that would open the sealed client credentials on every read.
    private func reauthorizationReason(on db: any Database) async throws -> String? {
        try await settings(db).value(RingCentralSettingsStore.Key.reauthorizationReason)
    }

    /// Saves a newly connected pair, replacing any other.
    func replaceAll(with tokens: RingCentralTokenSet, accountRowID: Int?, on db: any Database) async throws {
        try await RingCentralTokenRecord.query(on: db).delete()
        let row = RingCentralTokenRecord()
        row.$account.id = accountRowID
        try apply(tokens, to: row)
        try await row.create(on: db)
    }

    // MARK: Helpers

    private func tokens(in row: RingCentralTokenRecord) throws -> RingCentralTokenSet {
        guard let sealedAccess = row.sealedAccessToken else { throw RingCentralError.notConnected }
        // No refresh token is a pair RingCentral issued without one, not a broken row.
        return RingCentralTokenSet(
            accessToken: try secrets.open(sealedAccess, context: Self.accessContext),
            refreshToken: try row.sealedRefreshToken.map { try secrets.open($0, context: Self.refreshContext) },
            tokenType: row.tokenType ?? "bearer", expiresIn: Int(row.expiresIn ?? 3600),
            expiresAt: row.expiresAt ?? .distantPast, refreshTokenExpiresAt: row.refreshTokenExpiresAt,
            scope: row.scope, ownerID: row.ownerID, endpointID: row.endpointID)
    }

    private func apply(_ tokens: RingCentralTokenSet, to row: RingCentralTokenRecord) throws {
        row.sealedAccessToken = try secrets.seal(tokens.accessToken, context: Self.accessContext)
        row.sealedRefreshToken = try tokens.refreshToken.map { try secrets.seal($0, context: Self.refreshContext) }
        row.tokenType = tokens.tokenType
        row.expiresIn = Int32(clamping: tokens.expiresIn)
        row.expiresAt = tokens.expiresAt
        row.refreshTokenExpiresAt = tokens.refreshTokenExpiresAt
        row.scope = tokens.scope
        row.ownerID = tokens.ownerID
        row.endpointID = tokens.endpointID
    }

    private func settings(_ db: any Database) -> RingCentralSettingsStore {
        RingCentralSettingsStore(database: db, secrets: secrets, environment: environment)
    }
}
