import Fluent
import Foundation
import Vapor

/// Keeps sessions in the `sessions` table with an idle expiry, unlike Fluent's own
/// driver whose rows never expire.
struct DatabaseSessionDriver: SessionDriver {
    let lifetime: TimeInterval

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        let id = SecureToken.make()
        let record = StoredSession(id: id, data: data, expiresAt: Date().addingTimeInterval(lifetime))
        let db = request.db
        return request.eventLoop.makeFutureWithTask {
            // Sweeping expired rows here keeps the table small without a separate timer.
            try await StoredSession.query(on: db).filter(\.$expiresAt < Date()).delete()
            try await record.create(on: db)
            return SessionID(string: id)
        }
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        StoredSession.query(on: request.db)
            .filter(\.$id == sessionID.string)
            .filter(\.$expiresAt > Date())
            .first()
            .map { $0?.data }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        StoredSession.query(on: request.db)
            .filter(\.$id == sessionID.string)
            .set(\.$data, to: data)
            .set(\.$expiresAt, to: Date().addingTimeInterval(lifetime))
            .update()
            .map { sessionID }
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        StoredSession.query(on: request.db).filter(\.$id == sessionID.string).delete()
    }
}
