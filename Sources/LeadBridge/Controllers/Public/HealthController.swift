import Fluent
import SQLKit
import Vapor

enum HealthController {
    /// The process is up and answering.
    @Sendable static func live(req: Request) -> String { "ok" }

    /// The database answers too: what a load balancer should check before sending traffic.
    @Sendable static func ready(req: Request) async throws -> Response {
        do {
            guard let sql = req.db as? any SQLDatabase else { throw Abort(.serviceUnavailable) }
            try await sql.raw("SELECT 1").run()
            return try await ["status": "ready", "database": "ok"].encodeResponse(for: req)
        } catch {
            req.logger.warning("Readiness check failed: the database did not answer", metadata: ["error": "\(error)"])
            let response = try await ["status": "unavailable", "database": "not answering"].encodeResponse(for: req)
            response.status = .serviceUnavailable
            return response
        }
    }
}
