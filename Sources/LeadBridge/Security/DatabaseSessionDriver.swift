import Fluent
import Foundation
import Vapor

/// Keeps sessions in the `sessions` table, unlike Fluent's own driver:
///
/// - an idle expiry (each visit starts it again) and an absolute one (from sign-in, whatever
///   the visits), so a stolen cookie does not live for ever;
/// - the id is stored hashed (SHA-256): a copy of the database holds no cookie that signs
///   anyone in;
/// - each session knows its user, so "sign out everywhere" and disabling a user end their
///   sessions at once.
struct DatabaseSessionDriver: SessionDriver {
    let lifetime: TimeInterval
    var absoluteLifetime: TimeInterval = 7 * 24 * 60 * 60
    var clock: AppClock = .system

    /// The session key Vapor's session authentication keeps the user's id under.
    static let userKey = "_UserSession"

    static func storedID(_ sessionID: String) -> String {
        SecureToken.sha256Hex(sessionID)
    }

    /// A response still being finished after its app shut down (a test's server, a deploy's
    /// last request) would reach for databases that are gone, and Fluent traps on that: refused instead.
    private func shutDown(_ request: Request) -> (any Error)? {
        request.application.didShutdown
            ? Abort(.serviceUnavailable, reason: "The server is shutting down; please send it again in a moment.") : nil
    }

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        if let error = shutDown(request) { return request.eventLoop.makeFailedFuture(error) }
        let id = SecureToken.make()
        let now = clock.now()
        let record = StoredSession(id: Self.storedID(id), data: data, expiresAt: now.addingTimeInterval(lifetime))
        record.userID = data[Self.userKey].flatMap(Int.init)
        record.startedAt = now
        let db = request.db
        return request.eventLoop.makeFutureWithTask {
            // Sweeping expired rows here keeps the table small without a separate timer.
            try await StoredSession.query(on: db).filter(\.$expiresAt < now).delete()
            try await record.create(on: db)
            return SessionID(string: id)
        }
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        if let error = shutDown(request) { return request.eventLoop.makeFailedFuture(error) }
        let now = clock.now()
        return StoredSession.query(on: request.db)
            .filter(\.$id == Self.storedID(sessionID.string))
            .filter(\.$expiresAt > now)
            .first()
            .map { session in
                guard let session, now.timeIntervalSince(session.startedAt ?? now) < absoluteLifetime else { return nil }
                return session.data
            }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        if let error = shutDown(request) { return request.eventLoop.makeFailedFuture(error) }
        return StoredSession.query(on: request.db)
            .filter(\.$id == Self.storedID(sessionID.string))
            .set(\.$data, to: data)
            .set(\.$userID, to: data[Self.userKey].flatMap(Int.init))
            .set(\.$expiresAt, to: clock.now().addingTimeInterval(lifetime))
            .update()
            .map { sessionID }
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        if let error = shutDown(request) { return request.eventLoop.makeFailedFuture(error) }
        return StoredSession.query(on: request.db).filter(\.$id == Self.storedID(sessionID.string)).delete()
    }

    /// Ends every session of one user (sign out everywhere; a disabled user).
    static func endSessions(of userID: Int, on db: any Database) async throws {
        try await StoredSession.query(on: db).filter(\.$userID == userID).delete()
    }
}
