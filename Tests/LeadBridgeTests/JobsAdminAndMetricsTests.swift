import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

@Suite("Jobs page and /metrics")
struct JobsAdminAndMetricsTests {
    /// Leaves one failed and one pending job behind.
    static func seed(_ app: Application) async throws -> (failed: Int, pending: Int) {
        let queue = app.services.jobQueue
        app.jobKinds.register(FailingJob())
        try await queue.enqueue(FailingJob.self, .init(mode: .permanent), on: app.db)
        let claimed = try await queue.claim(worker: "w", limit: 1, lease: 300, on: app.db)
        try await queue.recordFailure(of: claimed[0], error: JobFailure.permanent("SuiteDash said <b>no</b>."), worker: "w", on: app.db)
        try await queue.enqueue(NoopJob.self, .init(), on: app.db, delay: 3600)
        let failed = try await FailedJob.query(on: app.db).first()!.id!
        let pending = try await QueuedJob.query(on: app.db).first()!.id!
        return (failed, pending)
    }

    @Test func thePageShowsCountsFailuresAndPendingWork() async throws {
        try await withApp { app in
            try await app.createAdmin()
            _ = try await Self.seed(app)
            let page = try await app.signedInBrowser().get("/admin/jobs")
            #expect(page.status == .ok)
            #expect(page.text.contains("SuiteDash said &lt;b&gt;no&lt;/b&gt;."))
            #expect(page.text.contains("test.failing"))
            #expect(page.text.contains("noop"))
            #expect(page.text.contains("scheduled"))
        }
    }

    @Test func retryDiscardAndRetryAllFromTheAdmin() async throws {
        try await withApp { app in
            try await app.createAdmin()
            let (failed, pending) = try await Self.seed(app)
            let browser = try await app.signedInBrowser()

            #expect(try await browser.post("/admin/jobs/failed/\(failed)/retry", form: [:]).status == .seeOther)
            #expect(try await FailedJob.query(on: app.db).count() == 0)
            #expect(try await QueuedJob.query(on: app.db).count() == 2)
            #expect(try await browser.post("/admin/jobs/failed/\(failed)/retry", form: [:]).status == .notFound)

            #expect(try await browser.post("/admin/jobs/\(pending)/discard", form: [:]).status == .seeOther)
            #expect(try await QueuedJob.find(pending, on: app.db) == nil)

            _ = try await Self.seed(app)
            #expect(try await browser.post("/admin/jobs/failed/retry-all", form: [:]).location?.contains("queued") == true)
            #expect(try await FailedJob.query(on: app.db).count() == 0)
        }
    }

    @Test func metricsShowQueueDepthAndRequests() async throws {
        try await withApp { app in
            _ = try await Self.seed(app)
            _ = try await app.testing().sendRequest(.GET, "/healthz")
            let metrics = try await app.testing().sendRequest(.GET, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains("leadbridge_queue_jobs{state=\"failed\"} 1"))
            #expect(metrics.text.contains("leadbridge_queue_jobs{state=\"scheduled\"} 1"))
            #expect(metrics.text.contains("http_requests_total{"))
            #expect(metrics.text.contains("route=\"/healthz\""))
        }
    }

    @Test func aMetricsTokenIsRequiredWhenSet() async throws {
        try await withApp({ $0.metricsToken = "s3cret-metrics" }) { app in
            #expect(try await app.testing().sendRequest(.GET, "/metrics").status == .unauthorized)
            let wrong = try await app.testing().sendRequest(.GET, "/metrics", headers: ["Authorization": "Bearer nope"])
            #expect(wrong.status == .unauthorized)
            let right = try await app.testing().sendRequest(.GET, "/metrics", headers: ["Authorization": "Bearer s3cret-metrics"])
            #expect(right.status == .ok)
        }
    }

    @Test func withoutATokenOnlyLoopbackMayRead() async throws {
        try await withApp { app in
            let live = try app.testing(method: .running(hostname: "127.0.0.1", port: 0))
            #expect(try await live.sendRequest(.GET, "/metrics").status == .ok)
        }
    }
}
