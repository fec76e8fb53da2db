import Fluent
import Foundation
import Vapor

/// Keeps sessions in the `sessions` table with an idle expiry, unlike Fluent's own
/// driver whose rows never expire.
struct DatabaseSessionDriver: SessionDriver {
    let lifetime: TimeInterval
    var clock: AppClock = .system

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        let id = SecureToken.make()
        let record = StoredSession(id: id, data: data, expiresAt: clock.now().addingTimeInterval(lifetime))
        let db = request.db
        let now = clock.now()
        return request.eventLoop.makeFutureWithTask {
            // Sweeping expired rows here keeps the table small without a separate timer.
            try await StoredSession.query(on: db).filter(\.$expiresAt < now).delete()
            try await record.create(on: db)
            return SessionID(string: id)
        }
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        StoredSession.query(on: request.db)
            .filter(\.$id == sessionID.string)
            .filter(\.$expiresAt > clock.now())
            .first()
            .map { $0?.data }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        StoredSession.query(on: request.db)
            .filter(\.$id == sessionID.string)
            .set(\.$data, to: data)
            .set(\.$expiresAt, to: clock.now().addingTimeInterval(lifetime))
            .update()
            .map { sessionID }
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        StoredSession.query(on: request.db).filter(\.$id == sessionID.string).delete()
    }
}
