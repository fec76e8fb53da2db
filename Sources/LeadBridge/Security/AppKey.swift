import Crypto
import Foundation

/// A 256-bit application key, written `base64:<44 characters>` in `APP_KEY`.
public struct AppKey: Sendable {
    public let symmetricKey: SymmetricKey
    /// Short fingerprint stored beside each sealed value, so rotation knows which key opens it.
    public let id: String

    public init(_ key: SymmetricKey) {
        symmetricKey = key
        let digest = key.withUnsafeBytes { SHA256.hash(data: Data($0)) }
        id = digest.prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    /// Parses the `base64:…` form (a bare base64 string is accepted too).
    public init(encoded: String) throws {
        let body = encoded.hasPrefix("base64:") ? String(encoded.dropFirst("base64:".count)) : encoded
        guard let bytes = Data(base64Encoded: body), bytes.count == 32 else {
            throw AppKeyError.malformed
        }
        self.init(SymmetricKey(data: bytes))
    }

    public static func generate() -> AppKey { AppKey(SymmetricKey(size: .bits256)) }

    public var encoded: String {
        "base64:" + symmetricKey.withUnsafeBytes { Data($0).base64EncodedString() }
    }
}

public enum AppKeyError: Error, CustomStringConvertible {
    case malformed
    case missingInProduction

    public var description: String {
        switch self {
        case .malformed:
            return "APP_KEY must be 32 random bytes written as base64:… ; run `leadbridge key generate` to make one."
        case .missingInProduction:
            return "APP_KEY is not set. Run `leadbridge key generate` and put the printed APP_KEY=… line in the environment or .env, then start again."
        }
    }
}
