import Fluent
import Foundation
import SQLKit

/// The durable queue in the `jobs` table.
///
/// Workers claim jobs under a lease in one atomic statement (`FOR UPDATE SKIP LOCKED` on
/// PostgreSQL; a single UPDATE on SQLite, whose writers are serialised), so two workers
/// never hold the same job; a worker that dies simply lets its lease run out. All times
/// come from `now`, so tests can move the clock.
struct JobQueue: Sendable {
    struct Claimed: Sendable, Equatable {
        let id: Int
        let kind: String
        let payload: String
        /// Including this try.
        let attempts: Int
        let maxAttempts: Int
        /// When this claim's lease runs out.
        let leaseUntil: Date
    }

    var backoff: Backoff
    var now: @Sendable () -> Date
    /// Told whenever a job is queued, so idle workers of this process wake at once.
    var wakeup: JobWakeup? = nil
    /// The PostgreSQL channel `leadbridge worker` processes elsewhere listen on.
    static let notifyChannel = "leadbridge_jobs"

    // MARK: Enqueueing

    /// Adds a job; pass the caller's transaction so the job commits with the caller's rows.
    /// With a `uniqueKey`, a second job with the same key is not added while the first waits.
    func enqueue<Kind: JobKind>(_ kind: Kind.Type, _ payload: Kind.Payload, on db: any Database,
                                delay: TimeInterval = 0, uniqueKey: String? = nil) async throws {
        try await enqueueMany(kind, [payload], on: db, delay: delay, uniqueKeys: uniqueKey.map { [$0] })
    }

    func enqueueMany<Kind: JobKind>(_ kind: Kind.Type, _ payloads: [Kind.Payload], on db: any Database,
                                    delay: TimeInterval = 0, uniqueKeys: [String]? = nil) async throws {
        guard !payloads.isEmpty else { return }
        let sql = try db.sql()
        let encoder = JSONEncoder()
        let stamp = now()
        // Chunks keep the bound parameters well inside both databases' limits.
        for chunkStart in stride(from: 0, to: payloads.count, by: 500) {
            let chunk = chunkStart..<min(chunkStart + 500, payloads.count)
            var insert = sql.insert(into: QueuedJob.schema).columns(
                "kind", "payload", "attempts", "max_attempts", "available_at", "unique_key", "created_at", "updated_at")
            for index in chunk {
                let json = String(decoding: try encoder.encode(payloads[index]), as: UTF8.self)
                insert = insert.values([
                    SQLBind(Kind.name), SQLBind(json), SQLBind(0), SQLBind(Kind.maxAttempts),
                    SQLBind(stamp.addingTimeInterval(delay)), SQLBind(uniqueKeys?[index]), SQLBind(stamp), SQLBind(stamp),
                ])
            }
            if uniqueKeys != nil { insert = insert.ignoringConflicts(with: ["unique_key"]) }
            try await insert.run()
        }
        // PostgreSQL delivers a NOTIFY when (and only if) the transaction commits: workers in
        // other processes wake exactly when the job can be claimed.
        try await sql.notify(Self.notifyChannel)
        wakeup?.signal()
    }

    // MARK: Working

    /// Leases up to `limit` due jobs to `worker` and counts the attempt.
    func claim(worker: String, limit: Int, lease: TimeInterval, on db: any Database) async throws -> [Claimed] {
        let sql = try db.sql()
        let stamp = now()
        let claim = JobClaims.forDatabase(sql)
        let rows = try await sql.raw(claim.statement(worker: worker, leaseUntil: stamp.addingTimeInterval(lease),
                                                     now: stamp, limit: limit)).all()
        return try rows.map {
            Claimed(id: try $0.decode(column: "id", as: Int.self), kind: try $0.decode(column: "kind", as: String.self),
                    payload: try $0.decode(column: "payload", as: String.self),
                    attempts: try $0.decode(column: "attempts", as: Int.self),
                    maxAttempts: try $0.decode(column: "max_attempts", as: Int.self),
                    leaseUntil: try $0.decode(column: "reserved_until", as: Date.self))
        }.sorted { $0.id < $1.id }
    }

    /// Removes jobs that ran to completion.
    func complete(_ ids: [Int], worker: String, on db: any Database) async throws {
        guard !ids.isEmpty else { return }
        try await db.sql().delete(from: QueuedJob.schema)
            .where("id", .in, ids).where("reserved_by", .equal, worker).run()
    }

    /// Gives jobs back untouched (a worker shutting down): the attempt does not count.
    func release(_ ids: [Int], worker: String, on db: any Database) async throws {
        guard !ids.isEmpty else { return }
        try await db.sql().raw("""
            UPDATE jobs SET reserved_by = NULL, reserved_until = NULL,
                attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = \(bind: now())
            WHERE id IN (\(binds: ids)) AND reserved_by = \(bind: worker)
            """).run()
    }

    /// Extends the lease on jobs this worker still holds; returns the ids it still holds
    /// (a job whose lease ran out and was claimed by another worker is not among them).
    func renewLease(_ ids: [Int], worker: String, lease: TimeInterval, on db: any Database) async throws -> Set<Int> {
        guard !ids.isEmpty else { return [] }
        let stamp = now()
        let rows = try await db.sql().raw("""
            UPDATE jobs SET reserved_until = \(bind: stamp.addingTimeInterval(lease)), updated_at = \(bind: stamp)
            WHERE id IN (\(binds: ids)) AND reserved_by = \(bind: worker) RETURNING id
            """).all()
        return Set(try rows.map { try $0.decode(column: "id", as: Int.self) })
    }

    enum FailureOutcome: Equatable {
        case deferredTo(Date)
        case retryAt(Date)
        case waiting(String)
        case failed
    }

    /// Decides what a failed try means for the job, from the error's advice and the attempts left.
    @discardableResult
    func recordFailure(of job: Claimed, error: any Error, worker: String, on db: any Database) async throws -> FailureOutcome {
        let disposition = (error as? any JobRetryAdvising)?.retryDisposition ?? .retry
        let message = String(String(describing: error).prefix(2000))
        let sql = try db.sql()
        let stamp = now()

        switch disposition {
        case .waitForIntegration(let integration):
            try await sql.raw("""
                UPDATE jobs SET waiting_for = \(bind: integration), reserved_by = NULL, reserved_until = NULL,
                    attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
                    last_error = \(bind: message), available_at = \(bind: stamp), updated_at = \(bind: stamp)
                WHERE id = \(bind: job.id) AND reserved_by = \(bind: worker)
                """).run()
            return .waiting(integration)
        case .deferred(let seconds):
            let next = stamp.addingTimeInterval(seconds)
            try await sql.raw("""
                UPDATE jobs SET available_at = \(bind: next), reserved_by = NULL, reserved_until = NULL,
                    attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = \(bind: stamp)
                WHERE id = \(bind: job.id) AND reserved_by = \(bind: worker)
                """).run()
            return .deferredTo(next)
        case .permanent:
            try await moveToFailed(job, message: message, worker: worker, on: db)
            return .failed
        case .retry, .retryAfter:
            guard job.attempts < job.maxAttempts else {
                try await moveToFailed(job, message: message, worker: worker, on: db)
                return .failed
            }
            let wait: TimeInterval
            if case .retryAfter(let seconds) = disposition { wait = seconds } else { wait = backoff.delay(afterAttempt: job.attempts) }
            let next = stamp.addingTimeInterval(wait)
            try await sql.raw("""
                UPDATE jobs SET available_at = \(bind: next), reserved_by = NULL, reserved_until = NULL,
                    last_error = \(bind: message), updated_at = \(bind: stamp)
                WHERE id = \(bind: job.id) AND reserved_by = \(bind: worker)
                """).run()
            return .retryAt(next)
        }
    }

    private func moveToFailed(_ job: Claimed, message: String, worker: String, on db: any Database) async throws {
        let stamp = now()
        try await db.transaction { tx in
            let sql = try tx.sql()
            try await sql.raw("""
                INSERT INTO failed_jobs (job_id, kind, payload, attempts, error, unique_key, failed_at, created_at, updated_at)
                SELECT id, kind, payload, attempts, \(bind: message), unique_key, \(bind: stamp), \(bind: stamp), \(bind: stamp)
                FROM jobs WHERE id = \(bind: job.id) AND reserved_by = \(bind: worker)
                """).run()
            try await sql.delete(from: QueuedJob.schema).where("id", .equal, job.id).where("reserved_by", .equal, worker).run()
        }
    }

    // MARK: Operating

    /// Lets jobs waiting for an integration run again (its credentials work now). Returns how many.
    @discardableResult
    func resume(waitingFor integration: String, on db: any Database) async throws -> Int {
        let rows = try await db.sql().raw("""
            UPDATE jobs SET waiting_for = NULL, available_at = \(bind: now()), updated_at = \(bind: now())
            WHERE waiting_for = \(bind: integration) RETURNING id
            """).all()
        return rows.count
    }

    /// Sends a failed job back to the queue with fresh attempts. False when there is no such failed job.
    @discardableResult
    func retryFailed(id: Int, maxAttempts: Int, on db: any Database) async throws -> Bool {
        let stamp = now()
        return try await db.transaction { tx in
            let sql = try tx.sql()
            let moved = try await sql.raw("""
                INSERT INTO jobs (kind, payload, attempts, max_attempts, available_at, unique_key, created_at, updated_at)
                SELECT kind, payload, 0, \(bind: maxAttempts), \(bind: stamp), unique_key, \(bind: stamp), \(bind: stamp)
                FROM failed_jobs WHERE id = \(bind: id)
                ON CONFLICT (unique_key) DO NOTHING
                RETURNING id
                """).all()
            let deleted = try await sql.raw("DELETE FROM failed_jobs WHERE id = \(bind: id) RETURNING id").all()
            // A newer job with the same key already waits: the failed one is simply cleared.
            return !moved.isEmpty || !deleted.isEmpty
        }
    }

    /// Sends every failed job back; returns how many.
    func retryAllFailed(maxAttempts: @escaping @Sendable (String) -> Int, on db: any Database) async throws -> Int {
        let failed = try await FailedJob.query(on: db).sort(\.$id).all()
        var count = 0
        for job in failed {
            if try await retryFailed(id: try job.requireID(), maxAttempts: maxAttempts(job.kind), on: db) { count += 1 }
        }
        return count
    }

    func discardFailed(id: Int, on db: any Database) async throws -> Bool {
        try await !db.sql().raw("DELETE FROM failed_jobs WHERE id = \(bind: id) RETURNING id").all().isEmpty
    }

    /// Removes a job that has not started (a running one keeps its lease and is not touched).
    func discardPending(id: Int, on db: any Database) async throws -> Bool {
        try await !db.sql().raw("""
            DELETE FROM jobs WHERE id = \(bind: id) AND (reserved_until IS NULL OR reserved_until <= \(bind: now()))
            RETURNING id
            """).all().isEmpty
    }
}

