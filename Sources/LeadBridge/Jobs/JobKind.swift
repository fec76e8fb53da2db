import Fluent
import Foundation
import Vapor

/// One kind of background work. Adding a kind is one small file: a type with a name, a
/// payload and `run`, registered in `JobKinds.register(in:)`.
///
/// Jobs must be idempotent: a job can run twice (its worker died after the work but before
/// recording it), and running it twice must do no harm.
protocol JobKind: Sendable {
    associatedtype Payload: Codable & Sendable
    static var name: String { get }
    /// Tries before the job moves to `failed_jobs`.
    static var maxAttempts: Int { get }
    func run(_ payload: Payload, context: JobContext) async throws
}

extension JobKind {
    static var maxAttempts: Int { 8 }
}

/// What the queue tells a running job about this run. Everything else a kind uses (services,
/// settings, the clock) is handed to it when it is registered (`JobKinds`), so no job reaches
/// into the application for it.
struct JobContext: Sendable {
    let db: any Database
    let jobID: Int
    /// 1 on the first try.
    let attempt: Int
    let logger: Logger
}

/// What a failing job's error says about trying again. Errors from provider clients
/// conform to `JobRetryAdvising` in the app, so the queue never guesses.
enum JobRetryDisposition: Sendable, Equatable {
    /// Try again later, after the usual backoff.
    case retry
    /// Try again after exactly this long (a provider's Retry-After).
    case retryAfter(TimeInterval)
    /// Nothing to gain by retrying: fail now.
    case permanent
    /// Not now, through no fault of the job (another worker holds what it needs): try again
    /// after this long without counting the attempt.
    case deferred(TimeInterval)
    /// The named integration is unusable (say, bad credentials): wait, unfailed and with the
    /// attempt given back, until it is released by `JobQueue.resume(waitingFor:)`.
    case waitForIntegration(String)
}

protocol JobRetryAdvising: Error {
    var retryDisposition: JobRetryDisposition { get }
}

/// An error a job throws to say plainly what should happen next.
struct JobFailure: JobRetryAdvising, CustomStringConvertible {
    let description: String
    let retryDisposition: JobRetryDisposition

    static func permanent(_ reason: String) -> JobFailure { .init(description: reason, retryDisposition: .permanent) }
    static func retry(_ reason: String) -> JobFailure { .init(description: reason, retryDisposition: .retry) }
    static func retryAfter(_ seconds: TimeInterval, _ reason: String) -> JobFailure {
        .init(description: reason, retryDisposition: .retryAfter(seconds))
    }
    static func deferred(_ seconds: TimeInterval, _ reason: String) -> JobFailure {
        .init(description: reason, retryDisposition: .deferred(seconds))
    }
    static func waitFor(_ integration: String, _ reason: String) -> JobFailure {
        .init(description: reason, retryDisposition: .waitForIntegration(integration))
    }
}
