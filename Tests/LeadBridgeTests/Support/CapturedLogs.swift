import Foundation
import Logging
import NIOConcurrencyHelpers

/// Keeps every log line (with its metadata) in memory, so tests can check what was logged.
final class CapturedLogs: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])
    var all: [String] { lines.withLockedValue { $0 } }
    func append(_ line: String) { lines.withLockedValue { $0.append(line) } }

    func logger(label: String = "test") -> Logger {
        Logger(label: label) { _ in Handler(store: self) }
    }

    struct Handler: LogHandler {
        let store: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
                 source: String, file: String, function: String, line: UInt) {
            let all = metadata.merging(explicit ?? [:]) { $1 }
            store.append("\(level) \(message) \(all)")
        }
    }
}
