import Foundation
import NIOConcurrencyHelpers

/// Fire-and-forget work that someone may still want to wait for (tests, shutdown).
final class BackgroundTasks: Sendable {
    private let running = NIOLockedValueBox<[UUID: Task<Void, Never>]>([:])

    func start(_ operation: @escaping @Sendable () async -> Void) {
        let id = UUID()
        running.withLockedValue { running in
            running[id] = Task { [weak self] in
                await operation()
                self?.running.withLockedValue { _ = $0.removeValue(forKey: id) }
            }
        }
    }

    /// Waits until everything started so far (and anything it started) has finished.
    func drain() async {
        while let next = running.withLockedValue({ $0.values.first }) {
            await next.value
        }
    }
}
