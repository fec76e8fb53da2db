import FluentPostgresDriver
import Foundation
import Logging
import NIOCore
import RingCentralKit
import SQLKit

/// RingCentral's rate-limit windows kept in PostgreSQL, which every LeadBridge process of a
/// scaled-out install uses, so N servers and workers together stay under the account's limit
/// and a 429 any of them earns stops them all until its `Retry-After`.
///
/// A slot is a row (`ringcentral_rate_slots`): taking one counts the group's rows inside the
/// window and adds one, in a transaction holding the group's advisory lock, so two processes
/// never both take the last slot; when its answer is in, its time moves to the answer's
/// (`settle`). Times are seconds since 1970 from each process's clock.
///
/// It talks over one connection of its own, one request at a time: a caller may hold a pooled
/// connection while it waits for a RingCentral slot (a token refresh does, under the token's row
/// lock), and when the slot itself needed a pooled connection, fifty such callers left none and
/// every one of them timed out.
actor DatabaseRingCentralBudget: RingCentralSharedBudget {
    private let url: String
    private let logger: Logger
    private let eventLoop: any EventLoop
    private var connection: PostgresConnection?
    private var busy = false
    private var line: [CheckedContinuation<Void, Never>] = []

    init(url: String, logger: Logger, eventLoop: any EventLoop) {
        self.url = url
        self.logger = logger
        self.eventLoop = eventLoop
    }

    func take(_ group: RingCentralRateLimitGroup, limit: RingCentralRateLimiter.Limit,
              margin: TimeInterval, now: Date) async throws -> RingCentralBudgetAnswer {
        let stamp = now.timeIntervalSince1970
        let since = stamp - limit.window - margin
        return try await inTransaction { sql in
            try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: Self.lockKey(group)))").run()
            if let until = try await sql.raw("SELECT paused_until FROM ringcentral_rate_pauses WHERE rate_group = \(bind: group.rawValue)")
                .first()?.decode(column: "paused_until", as: Double.self), until > stamp {
                return .wait(until - stamp)
            }
            try await sql.raw("DELETE FROM ringcentral_rate_slots WHERE rate_group = \(bind: group.rawValue) AND taken_at <= \(bind: since)").run()
            // A slot under way is stamped in the future (see `inFlightHold`), so it outlives the window.
            let row = try await sql.raw("""
                SELECT COUNT(*) AS taken, MIN(taken_at) FILTER (WHERE taken_at <= \(bind: stamp)) AS oldest
                FROM ringcentral_rate_slots WHERE rate_group = \(bind: group.rawValue)
                """).first()
            let taken = try row?.decode(column: "taken", as: Int.self) ?? 0
            if taken >= limit.requests {
                // Every slot still under way: one is free when an answer comes; look again shortly.
                guard let oldest = try row?.decode(column: "oldest", as: Double?.self) else { return .wait(0.25) }
                return .wait(max(0.001, oldest + limit.window + margin - stamp))
            }
            let inserted = try await sql.raw("""
                INSERT INTO ringcentral_rate_slots (rate_group, taken_at) VALUES (\(bind: group.rawValue), \(bind: stamp + Self.inFlightHold)) RETURNING id
                """).first()
            return .granted(slot: try inserted?.decode(column: "id", as: Int64.self) ?? 0)
        }
    }

    func settle(_ id: Int64, at: Date) async throws {
        // From its answer on, the slot counts for a window like any other.
        try await single("UPDATE ringcentral_rate_slots SET taken_at = \(bind: at.timeIntervalSince1970) WHERE id = \(bind: id)")
    }

    func release(_ id: Int64) async throws {
        try await single("DELETE FROM ringcentral_rate_slots WHERE id = \(bind: id)")
    }

    func pause(_ group: RingCentralRateLimitGroup, until: Date) async throws {
        try await inTransaction { sql in
            // Only ever lengthened: a shorter pause learnt later must not cut a longer one short.
            try await sql.raw("""
                INSERT INTO ringcentral_rate_pauses (rate_group, paused_until) VALUES (\(bind: group.rawValue), \(bind: until.timeIntervalSince1970))
                ON CONFLICT (rate_group) DO UPDATE SET paused_until = GREATEST(ringcentral_rate_pauses.paused_until, excluded.paused_until)
                """).run()
        }
    }

    /// Runs `body` in a transaction on the budget's own connection, after any request before it;
    /// a broken connection is dropped, and the next request opens a new one.
    private func inTransaction<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await inLine(transaction: true, body)
    }

    /// One statement, which PostgreSQL makes atomic on its own: no BEGIN and COMMIT round trips
    /// (a settle or release follows every RingCentral request).
    private func single(_ statement: SQLQueryString) async throws {
        try await inLine(transaction: false) { try await $0.raw(statement).run() }
    }

    private func inLine<T: Sendable>(transaction: Bool, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        if busy { await withCheckedContinuation { line.append($0) } } else { busy = true }
        defer {
            if line.isEmpty { busy = false } else { line.removeFirst().resume() }
        }
        let connection = try await openConnection()
        let sql = connection.sql()
        do {
            if transaction { try await sql.raw("BEGIN").run() }
            let result = try await body(sql)
            if transaction { try await sql.raw("COMMIT").run() }
            return result
        } catch {
            let rolledBack = transaction ? (try? await sql.raw("ROLLBACK").run()) != nil : true
            if !rolledBack || connection.isClosed {
                try? await connection.close()
                self.connection = nil
            }
            throw error
        }
    }

    private func openConnection() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
        let opened = try await PostgresConnection.connect(on: eventLoop, configuration: configuration, id: 2, logger: logger)
        // Nothing may wait on the budget for long: a process that dies holding a group's lock
        // (a lost machine) has its session ended by the server after 10 s idle in a transaction,
        // and a take that still cannot get the lock fails within 2 s, so the limiter paces on its
        // own count meanwhile instead of stopping every RingCentral call in every process.
        for setting in ["lock_timeout = '2s'", "statement_timeout = '5s'", "idle_in_transaction_session_timeout = '10s'"] {
            _ = try await opened.sql().raw("SET \(unsafeRaw: setting)").all()
        }
        connection = opened
        return opened
    }

    /// Closes the connection (at shutdown).
    func close() async {
        try? await connection?.close()
        connection = nil
    }

    /// A slot's stamp while its request is under way: this far in the future, so it counts however
    /// long the request takes, and a process that dies mid-request frees it at most this long later.
    static let inFlightHold: TimeInterval = 120

    /// One advisory-lock number per group, apart from any other lock of the app's.
    private static func lockKey(_ group: RingCentralRateLimitGroup) -> Int64 {
        0x5243_0000 + Int64(RingCentralRateLimitGroup.allCases.firstIndex(of: group) ?? 0)   // "RC"
    }
}
