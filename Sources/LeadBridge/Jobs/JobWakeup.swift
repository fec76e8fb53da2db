import Foundation
import NIOConcurrencyHelpers

/// Wakes idle workers as soon as a job may be waiting, instead of at their next poll: a lead
/// reaches the CRM in milliseconds, not after half a second of sleep. Polling stays as the
/// safety net (a signal lost, a job queued by another process that sent none).
///
/// `signal()` is sent when a job is queued (often inside a transaction that has not committed
/// yet) and again after a commit that queued jobs. A worker reads the `generation` before it
/// claims, and waits only if no signal came since, so a signal between its empty claim and its
/// wait is never lost; a worker woken that finds nothing looks again, briefly and quickly,
/// while the signal is fresh (the commit is usually a few milliseconds behind).
final class JobWakeup: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var lastSignal: UInt64 = 0
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }
    private let state = NIOLockedValueBox(State())

    /// How long after a signal an empty claim is tried again.
    static let freshness: UInt64 = 25_000_000  // 25 ms: a few looks, not a spin

    var generation: UInt64 { state.withLockedValue { $0.generation } }

    func signal() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            state.lastSignal = DispatchTime.now().uptimeNanoseconds
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// True while the last signal is recent enough that its job may still be committing.
    var signalIsFresh: Bool {
        let last = state.withLockedValue { $0.lastSignal }
        return last > 0 && DispatchTime.now().uptimeNanoseconds &- last < Self.freshness
    }

    /// Returns at the next signal after `generation` (at once if there was one already), or
    /// after `seconds`. Each waiter is resumed exactly once: whoever takes it from the table.
    func wait(after generation: UInt64, upTo seconds: Double) async {
        let id = UUID()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let signalled = state.withLockedValue { state -> Bool in
                if state.generation != generation { return true }
                state.waiters[id] = continuation
                return false
            }
            if signalled { continuation.resume(); return }
            Task {
                try? await Task.sleep(nanoseconds: UInt64(max(seconds, 0) * 1e9))
                self.state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume()
            }
        }
    }
}
