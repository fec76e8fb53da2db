import Fluent
import Vapor

/// `/admin/jobs`: what waits, runs and failed, with retry and discard.
struct JobsController {
    struct PendingRow: Encodable {
        let id: Int, kind: String, attempts: String, state: String, nextRun: String, lastError: String
    }
    struct FailedRow: Encodable {
        let id: Int, kind: String, attempts: Int, error: String, failedAt: String
    }
    struct Context: Encodable {
        let title: String, csrf: String, admin: String
        let stats: QueueStats
        let pending: [PendingRow]
        let failed: [FailedRow]
        let notice: String?
    }

    @Sendable func index(req: Request) async throws -> View {
        let queue = req.services.jobQueue
        let now = queue.now()
        let pending = try await QueuedJob.query(on: req.db).sort(\.$availableAt).sort(\.$id).limit(100).all()
        let failed = try await FailedJob.query(on: req.db).sort(\.$failedAt, .descending).limit(100).all()
        return try await req.view.render("admin/jobs", Context(
            title: "Jobs", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            stats: try await QueueStats.read(on: req.db, now: now),
            pending: pending.map { job in
                let state: String
                if let integration = job.waitingFor { state = "waiting for \(integration)" }
                else if let until = job.reservedUntil, until > now { state = "running" }
                else if job.availableAt > now { state = "scheduled" }
                else { state = "ready" }
                return PendingRow(id: job.id ?? 0, kind: job.kind, attempts: "\(job.attempts) of \(job.maxAttempts)",
                                  state: state, nextRun: AdminDate.format(job.availableAt), lastError: job.lastError ?? "")
            },
            failed: failed.map {
                FailedRow(id: $0.id ?? 0, kind: $0.kind, attempts: $0.attempts, error: $0.error, failedAt: AdminDate.format($0.failedAt))
            },
            notice: req.notice))
    }

    @Sendable func retry(req: Request) async throws -> Response {
        let id = try jobID(req)
        let failed = try await FailedJob.find(id, on: req.db)
        let maxAttempts = failed.flatMap { req.application.jobKinds.entry(for: $0.kind)?.maxAttempts } ?? 8
        guard try await req.services.jobQueue.retryFailed(id: id, maxAttempts: maxAttempts, on: req.db) else {
            throw Abort(.notFound, reason: "Failed job #\(id) is gone: it was retried or discarded already.")
        }
        return redirect(req, "Job #\(id) is queued again.")
    }

    @Sendable func retryAll(req: Request) async throws -> Response {
        let app = req.application
        let count = try await req.services.jobQueue.retryAllFailed(
            maxAttempts: { app.jobKinds.entry(for: $0)?.maxAttempts ?? 8 }, on: req.db)
        return redirect(req, "\(count) failed job(s) queued again.")
    }

    @Sendable func discardFailed(req: Request) async throws -> Response {
        let id = try jobID(req)
        guard try await req.services.jobQueue.discardFailed(id: id, on: req.db) else {
            throw Abort(.notFound, reason: "Failed job #\(id) is gone already.")
        }
        return redirect(req, "Failed job #\(id) discarded.")
    }

    @Sendable func discardPending(req: Request) async throws -> Response {
        let id = try jobID(req)
        guard try await req.services.jobQueue.discardPending(id: id, on: req.db) else {
            throw Abort(.conflict, reason: "Job #\(id) is running or finished, so it can't be discarded now.")
        }
        return redirect(req, "Job #\(id) discarded.")
    }

    private func jobID(_ req: Request) throws -> Int {
        guard let id = req.parameters.get("id", as: Int.self) else {
            throw Abort(.badRequest, reason: "A job number is a whole number, like /admin/jobs/failed/12/retry.")
        }
        return id
    }

    private func redirect(_ req: Request, _ notice: String) -> Response {
        req.redirect(to: AdminURL.jobs.path, notice: notice)
    }
}
