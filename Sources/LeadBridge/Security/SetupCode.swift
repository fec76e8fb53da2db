import Fluent
import Foundation
import Vapor

/// Whoever reaches a fresh install first would become its admin. In production the setup page
/// therefore asks for a one-time code that only someone with the server's files or terminal
/// has (as Grafana and Jenkins do): start-up writes it to `storage/setup-code`, readable by
/// the owner only, and prints it to the terminal. It is printed, not logged: log lines may be
/// shipped elsewhere. The code goes once the first admin exists. Development needs no code.
enum SetupCode {
    static func path(_ config: AppConfig) -> String { config.storagePath + "/setup-code" }

    /// Whether the setup page asks for the code: production, unless the configuration says otherwise.
    static func isRequired(_ app: Application) -> Bool {
        app.services.config.setupCodeRequired ?? (app.environment == .production)
    }

    /// The code, made on first need and kept in its file (so several processes, and restarts,
    /// agree on one code).
    static func ensure(_ config: AppConfig) throws -> String {
        let file = path(config)
        if let existing = current(config) { return existing }
        try FileManager.default.createDirectory(atPath: config.storagePath, withIntermediateDirectories: true)
        let code = make()
        // Created owner-only from the start, never readable by others even for a moment.
        guard FileManager.default.createFile(atPath: file, contents: Data((code + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw Abort(.internalServerError, reason: "The setup code could not be written to \(file).")
        }
        return code
    }

    static func current(_ config: AppConfig) -> String? {
        guard let data = FileManager.default.contents(atPath: path(config)),
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
              !text.isEmpty else { return nil }
        return text
    }

    /// True when `submitted` is the code (compared in constant time; spaces and case forgiven).
    static func matches(_ submitted: String?, _ config: AppConfig) -> Bool {
        guard let expected = current(config), let submitted else { return false }
        let tidy = { (text: String) in text.uppercased().filter { !$0.isWhitespace && $0 != "-" } }
        return SecureToken.constantTimeEquals(tidy(submitted), tidy(expected))
    }

    static func remove(_ config: AppConfig) {
        try? FileManager.default.removeItem(atPath: path(config))
    }

    /// 16 characters from an alphabet without look-alikes, in groups of four: about 80 bits.
    static func make() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return stride(from: 0, to: 16, by: 4).map { String(characters[$0..<$0 + 4]) }.joined(separator: "-")
    }
}

/// Prints the setup code when `serve` starts on an install that has no admin yet.
struct SetupCodeAnnouncer: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        guard application.isServing, SetupCode.isRequired(application) else { return }
        guard (try? await User.query(on: application.db).count()) == 0 else {
            SetupCode.remove(application.services.config)
            return
        }
        let config = application.services.config
        let code = try SetupCode.ensure(config)
        // Straight to the terminal on purpose: not through the logger, which may ship lines elsewhere.
        print("""

            LeadBridge has no admin yet. Open \(config.appURL)/admin/setup and enter this setup code:

                \(code)

            (It is also in \(SetupCode.path(config)), readable by this server's user only.)

            """)
    }
}
