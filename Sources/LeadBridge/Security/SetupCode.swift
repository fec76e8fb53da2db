import Fluent
import Foundation
import SQLKit
import Vapor

/// Whoever reaches a fresh install first would become its admin. Wherever someone else could
/// reach it, the setup page therefore asks for a one-time code that only someone with the
/// server's files or terminal has (as Grafana and Jenkins do). Start-up makes it, prints it to
/// standard output and writes it to `storage/setup-code`, readable by the owner only, so it can
/// be read there when nobody watches a terminal (a service's output goes to a journal). It is
/// printed, not logged: log lines may be shipped elsewhere. The database keeps only its hash,
/// one row for the whole install, so every server behind a load balancer checks the same code,
/// and of two processes starting together exactly one makes it. It goes once the first admin
/// exists. Only a development server on this machine alone needs no code.
enum SetupCode {
    static func path(_ config: AppConfig) -> String { config.storagePath + "/setup-code" }

    /// Whether the setup page asks for the code: in production; and in any environment when
    /// the server listens beyond this machine or `APP_URL` is https (a development install on
    /// 0.0.0.0, or behind a public proxy, is as open to the first visitor as a production one).
    static func isRequired(_ app: Application) -> Bool {
        let config = app.services.config
        if let forced = config.setupCodeRequired { return forced }
        return app.environment == .production || config.usesHTTPS || !ListenAddress.isThisMachineOnly(ListenAddress.host(app))
    }

    /// The install's code, made if there is none yet. Returns the code when this server holds
    /// it (it made it now or earlier), nil when another server made it.
    @discardableResult
    static func ensure(on db: any Database, _ config: AppConfig) async throws -> String? {
        guard let sql = db as? any SQLDatabase else { return nil }
        if let stored = try await storedHash(sql) {
            guard let local = current(config), SecureToken.constantTimeEquals(digest(local), stored) else { return nil }
            return local
        }
        let code = make()
        let made = try await sql.raw("""
            INSERT INTO setup_codes (id, code_hash) VALUES (1, \(bind: digest(code))) ON CONFLICT (id) DO NOTHING RETURNING id
            """).all()
        guard !made.isEmpty else { return current(config) }  // another process was first
        try write(code, config)
        return code
    }

    /// True when `submitted` is the install's code (spaces, dashes and case forgiven).
    static func matches(_ submitted: String?, on db: any Database) async throws -> Bool {
        guard let submitted, let sql = db as? any SQLDatabase, let stored = try await storedHash(sql) else { return false }
        return SecureToken.constantTimeEquals(digest(submitted), stored)
    }

    /// The first admin exists: the code is spent, everywhere.
    static func remove(on db: any Database, _ config: AppConfig) async throws {
        if let sql = db as? any SQLDatabase { try await sql.raw("DELETE FROM setup_codes").run() }
        try? FileManager.default.removeItem(atPath: path(config))
    }

    static func current(_ config: AppConfig) -> String? {
        guard let data = FileManager.default.contents(atPath: path(config)),
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
              !text.isEmpty else { return nil }
        return text
    }

    /// 16 characters from an alphabet without look-alikes, in groups of four: about 80 bits.
    static func make() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return stride(from: 0, to: 16, by: 4).map { String(characters[$0..<$0 + 4]) }.joined(separator: "-")
    }

    private static func digest(_ code: String) -> String {
        SecureToken.sha256Hex(code.uppercased().filter { !$0.isWhitespace && $0 != "-" })
    }

    private static func storedHash(_ sql: any SQLDatabase) async throws -> String? {
        try await sql.raw("SELECT code_hash FROM setup_codes WHERE id = 1").first()?.decode(column: "code_hash", as: String.self)
    }

    /// Created owner-only from the start, never readable by others even for a moment.
    private static func write(_ code: String, _ config: AppConfig) throws {
        try FileManager.default.createDirectory(atPath: config.storagePath, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: path(config))
        guard FileManager.default.createFile(atPath: path(config), contents: Data((code + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw Abort(.internalServerError, reason: "The setup code could not be written to \(path(config)).")
        }
    }
}

/// Prints the setup code when `serve` starts on an install that has no admin yet.
struct SetupCodeAnnouncer: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        guard application.isServing, SetupCode.isRequired(application) else { return }
        let config = application.services.config
        guard (try? await User.query(on: application.db).count()) == 0 else { return }
        let code = try await SetupCode.ensure(on: application.db, config)
        // Straight to the terminal on purpose: not through the logger, which may ship lines elsewhere.
        if let code {
            print("""

                LeadBridge has no admin yet. Open \(config.appURL)/admin/setup and enter this setup code:

                    \(code)

                (It is also in \(SetupCode.path(config)), readable by this server's user only.)

                """)
        } else {
            print("""

                LeadBridge has no admin yet. Another LeadBridge server made the setup code: it is in
                \(SetupCode.path(config)) on the server that printed it.

                """)
        }
    }
}
