import Foundation
import NIOConcurrencyHelpers
@testable import LeadBridge

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current: NIOLockedValueBox<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = .init(start) }
    var now: Date { current.withLockedValue { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
}

/// Records every run of a test job, by the number in its payload.
actor RunLog {
    private(set) var runs: [Int: Int] = [:]
    /// Jobs that began running (a slow job says so before it sleeps).
    private(set) var started = 0
    func record(_ number: Int) { runs[number, default: 0] += 1 }
    func begin() { started += 1 }
    var total: Int { runs.values.reduce(0, +) }
}

struct CountingJob: JobKind {
    struct Payload: Codable, Sendable { let number: Int }
    static let name = "test.counting"
    let log: RunLog
    func run(_ payload: Payload, context: JobContext) async throws { await log.record(payload.number) }
}

struct SlowJob: JobKind {
    struct Payload: Codable, Sendable { let number: Int; let milliseconds: Int }
    static let name = "test.slow"
    let log: RunLog
    func run(_ payload: Payload, context: JobContext) async throws {
        await log.begin()
        try await Task.sleep(nanoseconds: UInt64(payload.milliseconds) * 1_000_000)
        await log.record(payload.number)
    }
}

/// Fails the way its payload says.
struct FailingJob: JobKind {
    enum Mode: String, Codable, Sendable { case retry, retryAfter, permanent, waitForSuiteDash, plainError }
    struct Payload: Codable, Sendable { let mode: Mode }
    struct PlainError: Error {}
    static let name = "test.failing"
    static let maxAttempts = 3

    func run(_ payload: Payload, context: JobContext) async throws {
        switch payload.mode {
        case .retry: throw JobFailure.retry("The provider answered 503.")
        case .retryAfter: throw JobFailure.retryAfter(42, "Rate limited.")
        case .permanent: throw JobFailure.permanent("SuiteDash refused the contact: email is invalid.")
        case .waitForSuiteDash: throw JobFailure.waitFor("suitedash", "SuiteDash rejected the API keys (401).")
        case .plainError: throw PlainError()
        }
    }
}
