import Dispatch
import Foundation
import NIOConcurrencyHelpers
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
        let pool = WorkerPool(app: app, count: count)
        pool.start()
        context.console.print("Running \(count) job worker(s). Stop with Ctrl-C or SIGTERM; jobs in hand finish first.")
        await Self.waitForTerminationSignal()
        context.console.print("Stopping: finishing the jobs in hand…")
        await pool.stop()
    }

    /// Suspends until SIGTERM or SIGINT arrives.
    static func waitForTerminationSignal() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumed = NIOLockedValueBox(false)
            let queue = DispatchQueue(label: "leadbridge.worker.signals")
            var sources: [any DispatchSourceSignal] = []
            for signalNumber in [SIGTERM, SIGINT] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
                source.setEventHandler {
                    let first = resumed.withLockedValue { done in defer { done = true }; return !done }
                    if first { continuation.resume() }
                }
                source.resume()
                sources.append(source)
            }
            // The sources must outlive this closure; they live as long as the process.
            SignalSources.keep(sources)
        }
    }
}

private enum SignalSources {
    nonisolated(unsafe) static var kept: [any DispatchSourceSignal] = []
    static func keep(_ sources: [any DispatchSourceSignal]) { kept.append(contentsOf: sources) }
}
