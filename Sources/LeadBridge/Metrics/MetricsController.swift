import Fluent
import Metrics
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// `GET /metrics` in Prometheus text format. With METRICS_TOKEN set it needs
/// `Authorization: Bearer <token>`; without one, only this machine (loopback) may read it,
/// and in production nobody: behind a reverse proxy on the same machine every request comes
/// from loopback, so the route answers 404 and start-up says why.
enum MetricsController {
    private static let exposition = NIOLock()

    @Sendable static func show(req: Request) async throws -> Response {
        try authorize(req)
        let stats = try await QueueStats.read(on: req.db, now: req.services.jobQueue.now())
        // The registry is the process's: recording and rendering in one step keeps another
        // scrape (another app in the same process, as in the test suite) from slipping its
        // queue depths in between.
        let text = exposition.withLock {
            for (state, count) in stats.byState {
                Gauge(label: "leadbridge_queue_jobs", dimensions: [("state", state)]).record(count)
            }
            return AppMetrics.exposition()
        }
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }

    /// Whether this app serves `/metrics` only with the token.
    static func requiresToken(_ app: Application) -> Bool {
        app.services.config.metricsRequireToken ?? (app.environment == .production)
    }

    private static func authorize(_ req: Request) throws {
        if req.services.config.metricsToken == nil, requiresToken(req.application) {
            // Not "forbidden": without a token there is nothing here for anyone.
            throw Abort(.notFound)
        }
        if let token = req.services.config.metricsToken {
            guard let bearer = req.headers.bearerAuthorization?.token, SecureToken.constantTimeEquals(bearer, token) else {
                throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer"], reason: "Send the metrics token as Authorization: Bearer <METRICS_TOKEN>.")
            }
            return
        }
        // The socket's peer, never X-Forwarded-For: a header cannot make a request local.
        let peer = req.remoteAddress?.ipAddress ?? ""
        guard peer == "127.0.0.1" || peer == "::1" || peer.hasPrefix("::ffff:127.") || req.remoteAddress == nil else {
            throw Abort(.forbidden, reason: "Metrics are only served to this machine; set METRICS_TOKEN to read them from elsewhere.")
        }
    }
}
