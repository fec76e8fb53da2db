import Crypto
import Foundation

/// Seals secrets with AES-256-GCM before they reach the database.
///
/// A sealed value reads `lb1.<key id>.<base64 nonce|ciphertext|tag>`. The key id lets the
/// box open values sealed under keys listed in `APP_PREVIOUS_KEYS` after a rotation, while
/// every new value is sealed under the current `APP_KEY`. The `context` (say
/// "ringcentral_tokens.access_token") is bound in as associated data, so a sealed value
/// copied into another column does not open there.
public struct SecretBox: Sendable {
    private static let version = "lb1"
    public let currentKey: AppKey
    private let keysByID: [String: AppKey]

    public init(current: AppKey, previous: [AppKey] = []) {
        currentKey = current
        var keys: [String: AppKey] = [:]
        for key in previous { keys[key.id] = key }
        keys[current.id] = current
        keysByID = keys
    }

    public func seal(_ plaintext: String, context: String) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: currentKey.symmetricKey,
                                   authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw SecretBoxError.sealFailed }
        return "\(Self.version).\(currentKey.id).\(combined.base64EncodedString())"
    }

    public func open(_ sealed: String, context: String) throws -> String {
        let parts = sealed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Self.version,
              let combined = Data(base64Encoded: String(parts[2])) else {
            throw SecretBoxError.malformed
        }
        guard let key = keysByID[String(parts[1])] else { throw SecretBoxError.unknownKey(String(parts[1])) }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            let plain = try AES.GCM.open(box, using: key.symmetricKey, authenticating: Data(context.utf8))
            guard let text = String(data: plain, encoding: .utf8) else { throw SecretBoxError.tampered }
            return text
        } catch is SecretBoxError {
            throw SecretBoxError.tampered
        } catch {
            throw SecretBoxError.tampered
        }
    }

    /// An HMAC-SHA256 of `message` under a key derived from APP_KEY for `purpose` alone, so
    /// a value made for one use (a CSRF token, say) means nothing for another.
    public func mac(_ message: String, purpose: String) -> String {
        let key = HKDF<SHA256>.deriveKey(inputKeyMaterial: currentKey.symmetricKey, info: Data(purpose.utf8), outputByteCount: 32)
        return Data(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key)).base64URLEncodedString()
    }

    /// `mac` under the current key first, then under each previous key: a value stored before
    /// a key rotation is still found.
    public func macs(_ message: String, purpose: String) -> [String] {
        let previous = keysByID.values.filter { $0.id != currentKey.id }.sorted { $0.id < $1.id }
        return ([currentKey] + previous).map { key in
            let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: key.symmetricKey, info: Data(purpose.utf8), outputByteCount: 32)
            return Data(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: derived)).base64URLEncodedString()
        }
    }

    /// How many keys from APP_PREVIOUS_KEYS this box still opens.
    public var previousKeyCount: Int { keysByID.count - 1 }

    /// True when the value was sealed under an older key and should be sealed again.
    public func needsResealing(_ sealed: String) -> Bool {
        let parts = sealed.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && String(parts[1]) != currentKey.id
    }
}

public enum SecretBoxError: Error, Equatable, CustomStringConvertible {
    case sealFailed
    case malformed
    case unknownKey(String)
    case tampered

    public var description: String {
        switch self {
        case .sealFailed: return "The secret could not be sealed."
        case .malformed: return "The stored secret is not in LeadBridge's sealed format."
        case .unknownKey(let id):
            return "The stored secret was sealed with a key (id \(id)) that is neither APP_KEY nor in APP_PREVIOUS_KEYS; add the old key to APP_PREVIOUS_KEYS."
        case .tampered: return "The stored secret failed its integrity check: it was altered or sealed for another field."
        }
    }
}
