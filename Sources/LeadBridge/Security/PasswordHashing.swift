import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import Vapor

/// bcrypt on threads of its own, behind a line of bounded length.
///
/// Vapor's `req.password.async` runs bcrypt on the application's thread pool, which is also
/// where every SQLite call blocks. One check holds a thread for about a quarter of a second (cost
/// 12), so a few hundred sign-ins from as many addresses kept both threads busy and every
/// enquiry and admin page queued behind them for seconds. Here bcrypt gets one or two threads
/// (half the cores, so the database and the event loops keep the rest), and at most `ceiling`
/// checks are admitted at once, running or waiting: past that, a sign-in is answered at once
/// (503 and Retry-After) and costs no database work and no bcrypt.
final class PasswordHashing: Sendable {
    /// Every place in the line is taken.
    struct Busy: AbortError, CustomStringConvertible {
        let retryAfter: Int
        var status: HTTPResponseStatus { .serviceUnavailable }
        var reason: String {
            "Too many sign-ins are being checked right now. Try again in \(retryAfter == 1 ? "a second" : "\(retryAfter) seconds")."
        }
        var headers: HTTPHeaders { ["Retry-After": String(retryAfter)] }
        var description: String { reason }
    }

    /// A place in the line, held from admission until the check is done.
    final class Admission: Sendable {
        private let owner: PasswordHashing
        private let released = NIOLockedValueBox(false)

        fileprivate init(_ owner: PasswordHashing) { self.owner = owner }

        /// Gives the place back; once only, however often it is called.
        func release() {
            let first = released.withLockedValue { released in
                defer { released = true }
                return !released
            }
            if first { owner.leave() }
        }

        deinit { release() }
    }

    let threads: Int
    let ceiling: Int
    private let pool: NIOThreadPool
    private let hasher: any PasswordHasher
    /// Places taken, and how long a check takes (a moving average, for Retry-After).
    private let state = NIOLockedValueBox((admitted: 0, secondsPerCheck: 0.25))

    /// Half the cores, one or two threads: the rest stay with the database and the event loops.
    static var defaultThreads: Int { max(1, min(2, System.coreCount / 2)) }
    /// About four seconds of work at cost 12 per thread: a person waits no longer than that.
    static func defaultCeiling(threads: Int) -> Int { threads * 16 }

    init(hasher: any PasswordHasher, threads: Int = PasswordHashing.defaultThreads, ceiling: Int? = nil) {
        self.hasher = hasher
        self.threads = threads
        self.ceiling = max(1, ceiling ?? Self.defaultCeiling(threads: threads))
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    /// A place in the line, or `Busy` when there is none.
    func admit() throws -> Admission {
        try state.withLockedValue { state in
            guard state.admitted < ceiling else {
                let seconds = Double(state.admitted) * state.secondsPerCheck / Double(threads)
                throw Busy(retryAfter: max(1, Int(seconds.rounded(.up))))
            }
            state.admitted += 1
        }
        return Admission(self)
    }

    private func leave() {
        state.withLockedValue { $0.admitted -= 1 }
    }

    /// Checks `password` against a bcrypt hash, on the hashing threads.
    func verify(_ password: String, created digest: String) async throws -> Bool {
        try await timed { [hasher] in try hasher.verify(password, created: digest) }
    }

    /// Hashes `password`, on the hashing threads.
    func hash(_ password: String) async throws -> String {
        try await timed { [hasher] in try hasher.hash(password) }
    }

    /// Takes a place, hashes, gives the place back: for the pages that set a password.
    func hashAdmitted(_ password: String) async throws -> String {
        let admission = try admit()
        defer { admission.release() }
        return try await hash(password)
    }

    func shutdown() async {
        try? await pool.shutdownGracefully()
    }

    private func timed<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive {
            let started = DispatchTime.now().uptimeNanoseconds
            defer {
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                self.state.withLockedValue { $0.secondsPerCheck = $0.secondsPerCheck * 0.8 + seconds * 0.2 }
            }
            return try work()
        }
    }
}

/// Stops the hashing threads when the app shuts down.
struct PasswordHashingLifecycle: LifecycleHandler {
    let hashing: PasswordHashing
    func shutdownAsync(_ application: Application) async {
        await hashing.shutdown()
    }
}
