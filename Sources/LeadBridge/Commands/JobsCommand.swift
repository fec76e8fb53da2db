import Fluent
import Foundation
import Vapor

/// `leadbridge jobs`: the admin Jobs page from a terminal.
struct JobsCommand: AsyncCommandGroup {
    let help = "Inspect and manage background jobs."
    var commands: [String: any AnyAsyncCommand] {
        ["list": List(), "retry": Retry(), "retry-failed": RetryFailed(), "discard": Discard(), "noop": EnqueueNoop()]
    }
    var defaultCommand: (any AnyAsyncCommand)? { List() }

    struct List: AsyncCommand {
        struct Signature: CommandSignature {}
        let help = "Counts by state, then pending and failed jobs (newest 20 of each)."

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            let console = context.console
            let stats = try await QueueStats.read(on: app.db, now: app.services.clock.now())
            console.print(stats.byState.map { "\($0.0): \($0.1)" }.joined(separator: "   "))
            let pending = try await QueuedJob.query(on: app.db).sort(\.$availableAt).limit(20).all()
            if !pending.isEmpty { console.print("\nPending") }
            for job in pending {
                let state = job.waitingFor.map { "waiting for \($0)" } ?? "next run \(AdminDate.format(job.availableAt))"
                console.print("  #\(job.id ?? 0) \(job.kind)  attempts \(job.attempts)/\(job.maxAttempts)  \(state)\(job.lastError.map { "  last error: \($0)" } ?? "")")
            }
            let failed = try await FailedJob.query(on: app.db).sort(\.$failedAt, .descending).limit(20).all()
            if !failed.isEmpty { console.print("\nFailed (retry with `leadbridge jobs retry ID`)") }
            for job in failed {
                console.print("  #\(job.id ?? 0) \(job.kind)  attempts \(job.attempts)  failed \(AdminDate.format(job.failedAt)): \(job.error)")
            }
        }
    }

    struct Retry: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "id", help: "The failed job's number, from `leadbridge jobs list`.")
            var id: Int
        }
        let help = "Send one failed job back to the queue."

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            let failed = try await FailedJob.find(signature.id, on: app.db)
            let maxAttempts = failed.flatMap { app.jobKinds.entry(for: $0.kind)?.maxAttempts } ?? 8
            guard try await app.services.jobQueue.retryFailed(id: signature.id, maxAttempts: maxAttempts, on: app.db) else {
                throw UserCommandError("There is no failed job #\(signature.id); `leadbridge jobs list` shows them.")
            }
            context.console.success("Failed job #\(signature.id) is queued again.")
        }
    }

    struct RetryFailed: AsyncCommand {
        struct Signature: CommandSignature {}
        let help = "Send every failed job back to the queue."

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            let count = try await app.services.jobQueue.retryAllFailed(
                maxAttempts: { app.jobKinds.entry(for: $0)?.maxAttempts ?? 8 }, on: app.db)
            context.console.success("\(count) failed job(s) queued again.")
        }
    }

    struct Discard: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "id", help: "A failed job's number.")
            var id: Int
            @Flag(name: "pending", help: "Discard a pending (not failed) job with this number instead.")
            var pending: Bool
        }
        let help = "Delete a failed job (or, with --pending, a job that has not started)."

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            let queue = app.services.jobQueue
            let done = signature.pending
                ? try await queue.discardPending(id: signature.id, on: app.db)
                : try await queue.discardFailed(id: signature.id, on: app.db)
            guard done else {
                throw UserCommandError("There is no \(signature.pending ? "pending job not yet running" : "failed job") #\(signature.id).")
            }
            context.console.success("Job #\(signature.id) discarded.")
        }
    }

    struct EnqueueNoop: AsyncCommand {
        struct Signature: CommandSignature {
            @Option(name: "count", help: "How many (default 1).")
            var count: Int?
        }
        let help = "Queue no-op jobs, to check that workers are running."

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            let count = max(1, signature.count ?? 1)
            try await app.services.jobQueue.enqueueMany(NoopJob.self, Array(repeating: .init(), count: count), on: app.db)
            context.console.success("Queued \(count) no-op job(s).")
        }
    }
}
