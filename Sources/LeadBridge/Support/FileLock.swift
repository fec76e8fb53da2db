import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a file, shared by every process on this machine (and by separate
/// holders in one process): `flock` on its own open file description. Waiting polls without
/// blocking a thread, so async callers never stall the cooperative pool.
enum FileLock {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func withLock<T: Sendable>(_ path: String, timeout: TimeInterval = 60,
                                      _ body: () async throws -> T) async throws -> T {
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(description: "cannot open the lock file \(path) (errno \(errno))") }
        defer { close(descriptor) }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw Failure(description: "cannot lock \(path) (errno \(errno))")
            }
            guard Date() < deadline else { throw Failure(description: "\(path) stayed locked for \(Int(timeout)) s") }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        defer { flock(descriptor, LOCK_UN) }
        return try await body()
    }
}
