import Vapor

/// `leadbridge worker [--workers N]`: runs job workers and the scheduler without the web
/// server, for a separate process or machine. SIGTERM or SIGINT stops it gracefully.
struct WorkerCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "workers", help: "Worker loops to run (default QUEUE_WORKERS, or 8 when it is 0: web servers that leave the jobs to this command).")
        var workers: Int?
    }
    let help = "Run background job workers until stopped with SIGTERM or Ctrl-C."

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let count = Self.loops(requested: signature.workers, configured: app.services.config.queue.workers)
        let pool = WorkerPool(app: app, count: count, watchesOtherProcesses: true)
        pool.start()
        context.console.print("Running \(count) job worker(s). Stop with Ctrl-C or SIGTERM; jobs in hand finish first.")
        await TerminationSignal.wait()
        context.console.print("Stopping: finishing the jobs in hand…")
        await pool.stop()
    }

    /// QUEUE_WORKERS's own default: most jobs wait on a provider, so several loops keep the queue moving.
    static let defaultLoops = 8

    /// `--workers`, else QUEUE_WORKERS; QUEUE_WORKERS=0 is how web servers leave the jobs to this
    /// command (often from the same environment file), so it means the default here, not one loop.
    static func loops(requested: Int?, configured: Int) -> Int {
        if let requested { return max(1, requested) }
        return configured > 0 ? configured : defaultLoops
    }
}
