import Foundation

/// On SQLite, what PostgreSQL's NOTIFY does for workers in other processes (`leadbridge worker`
/// beside `serve`, or two servers on one file): every commit writes to the `-wal` file, so a
/// change of its size or modification time means something was committed, perhaps a job. It is
/// checked every 20 ms (one `stat`, no database read) and wakes the idle workers; a wake-up for
/// a commit that queued nothing costs one claim query. Polling alone left a separate worker's
/// leads waiting for the next poll.
struct SQLiteCommitWatcher: Sendable {
    let databasePath: String
    let wakeup: JobWakeup
    var interval: TimeInterval = 0.02

    func run() async {
        let wal = databasePath + "-wal"
        var last = Self.stamp(wal)
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
            let now = Self.stamp(wal)
            if now != last {
                last = now
                wakeup.signal()
            }
        }
    }

    /// Size and modification time of `path` (nanoseconds), or nil when it does not exist (yet).
    static func stamp(_ path: String) -> [Int]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Glibc)
        return [Int(info.st_size), info.st_mtim.tv_sec, info.st_mtim.tv_nsec]
        #else
        return [Int(info.st_size), info.st_mtimespec.tv_sec, info.st_mtimespec.tv_nsec]
        #endif
    }
}
