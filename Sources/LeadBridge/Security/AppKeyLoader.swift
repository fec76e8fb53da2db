import Foundation
import Logging

/// Resolves `APP_KEY` into a `SecretBox`.
///
/// In development a missing key is generated once into `storage/app.key`, so a fresh
/// clone runs with no configuration. In production a missing key stops start-up: a key
/// invented on the spot would make every secret sealed before the restart unreadable.
enum AppKeyLoader {
    static let keyFileName = "app.key"

    static func secretBox(config: AppConfig, isProduction: Bool, logger: Logger) throws -> SecretBox {
        let current = try currentKey(config: config, isProduction: isProduction, logger: logger)
        let previous = try config.previousAppKeys.map { try AppKey(encoded: $0) }
        return SecretBox(current: current, previous: previous)
    }

    private static func currentKey(config: AppConfig, isProduction: Bool, logger: Logger) throws -> AppKey {
        if let encoded = config.appKey { return try AppKey(encoded: encoded) }
        if isProduction { throw AppKeyError.missingInProduction }

        let path = config.storagePath + "/" + keyFileName
        if let stored = try? String(contentsOfFile: path, encoding: .utf8) {
            return try AppKey(encoded: stored.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let key = AppKey.generate()
        try FileManager.default.createDirectory(atPath: config.storagePath, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data((key.encoded + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError.invalid("Could not write a development APP_KEY to \(path); check that the folder is writable.")
        }
        logger.notice("APP_KEY was not set: generated a development key in \(path). Set APP_KEY before going to production.")
        return key
    }
}
