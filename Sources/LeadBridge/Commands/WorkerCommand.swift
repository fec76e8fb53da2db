import Vapor

/// `leadbridge worker [--workers N]`: runs job workers and the scheduler without the web
/// server, for a separate process or machine. SIGTERM or SIGINT stops it gracefully.
struct WorkerCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "workers", help: "Worker loops to run (default QUEUE_WORKERS, or 2).")
        var workers: Int?
    }
    let help = "Run background job workers until stopped with SIGTERM or Ctrl-C."

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let count = max(1, signature.workers ?? app.services.config.queue.workers)
        let pool = WorkerPool(app: app, count: count, watchesOtherProcesses: true)
        pool.start()
        context.console.print("Running \(count) job worker(s). Stop with Ctrl-C or SIGTERM; jobs in hand finish first.")
        await TerminationSignal.wait()
        context.console.print("Stopping: finishing the jobs in hand…")
        await pool.stop()
    }

}
