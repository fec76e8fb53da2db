import Foundation
import Logging
import NIOCore
import FluentPostgresDriver

/// On PostgreSQL, `LISTEN leadbridge_jobs` on a connection of its own: a job queued by any
/// process (the server, another worker, a command) wakes this process's idle workers the
/// moment its transaction commits. A lost connection is opened again after a pause; while it
/// is down, polling carries on as before.
struct PostgresJobListener: Sendable {
    let url: String
    let wakeup: JobWakeup
    let logger: Logger
    let eventLoop: any EventLoop

    func run() async {
        var pause: UInt64 = 1
        while !Task.isCancelled {
            do {
                let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
                let connection = try await PostgresConnection.connect(on: eventLoop, configuration: configuration, id: 1, logger: logger)
                pause = 1
                do {
                    // Stopping the pool cancels this task: closing the connection ends the wait at once.
                    try await withTaskCancellationHandler {
                        let notifications = try await connection.listen(JobQueue.notifyChannel)
                        // A job may have been queued while nobody listened.
                        wakeup.signal()
                        for try await _ in notifications { wakeup.signal() }
                    } onCancel: {
                        connection.close().whenComplete { _ in }
                    }
                } catch {
                    if !Task.isCancelled { logger.warning("Lost the job notifications; listening again", metadata: ["error": "\(error)"]) }
                }
                try? await connection.close()
            } catch {
                if !Task.isCancelled { logger.warning("Cannot listen for job notifications; polling meanwhile", metadata: ["error": "\(error)"]) }
            }
            try? await Task.sleep(nanoseconds: pause * 1_000_000_000)
            pause = min(pause * 2, 30)
        }
    }
}
