import Dispatch
import Foundation
import NIOConcurrencyHelpers

/// Waits for Ctrl-C or SIGTERM: how `worker` and the tools' long-running commands end.
public enum TerminationSignal {
    /// Suspends until SIGTERM or SIGINT arrives.
    public static func wait() async {
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
