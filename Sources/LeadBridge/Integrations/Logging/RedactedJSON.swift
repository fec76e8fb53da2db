import Foundation
import RingCentralKit

/// A JSON document with every secret-looking value replaced, for `integration_logs`.
struct RedactedJSON: Codable, Sendable, Equatable {
    /// Any JSON value (shared with RingCentralKit, which keeps call records as they came).
    typealias Value = JSONValue

    let value: Value

    init(_ value: Value) { self.value = value }
    init(from decoder: any Decoder) throws { value = try Value(from: decoder) }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }

    /// Pretty text for the admin's detail view.
    var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? ""
    }
}

/// Takes secrets out of what is about to be logged: any key that names a secret loses its
/// value, and long strings are cut. A body that is not JSON is kept as (cut) text.
enum Redactor {
    static let secretWords = ["secret", "password", "token", "key", "authorization", "credential", "code_verifier"]
    static let maxString = 2000
    /// Bodies larger than this (a call-log page is ~700 KB) are noted, not kept: the log is an
    /// audit trail, not a copy of the provider's data.
    static let maxBody = 32 * 1024

    static func redact(_ data: Data?) -> RedactedJSON? {
        guard let data, !data.isEmpty else { return nil }
        guard data.count <= maxBody else {
            return RedactedJSON(.object(["omitted": .string("\(data.count) bytes: too large to keep in the log")]))
        }
        if let value = try? JSONDecoder().decode(RedactedJSON.Value.self, from: data) {
            return RedactedJSON(redact(value))
        }
        return RedactedJSON(.string(redactText(String(String(decoding: data, as: UTF8.self).prefix(maxString)))))
    }

    /// A body that is not JSON (a form, an HTML error page, a proxy's plain text): form fields
    /// with secret-sounding names lose their values, and so does anything that looks like a
    /// key or token (a run of 24 or more letters, digits and `-_.+/=` with a digit and a letter),
    /// whatever it is called.
    static func redactText(_ text: String) -> String {
        var result = text
        let formField = try! NSRegularExpression(pattern: #"(?i)\b([A-Za-z0-9_.\-]*(?:secret|password|token|key|authorization|credential|code_verifier|assertion|code)[A-Za-z0-9_.\-]*)=([^&\s"'<>]*)"#)
        result = formField.stringByReplacingMatches(in: result, range: NSRange(result.startIndex..., in: result), withTemplate: "$1=[redacted]")
        let tokenLike = try! NSRegularExpression(pattern: #"(?=[A-Za-z0-9_.+/=\-]*[0-9])(?=[A-Za-z0-9_.+/=\-]*[A-Za-z])[A-Za-z0-9_.+/=\-]{24,}"#)
        result = tokenLike.stringByReplacingMatches(in: result, range: NSRange(result.startIndex..., in: result), withTemplate: "[redacted]")
        return result
    }

    static func redact(_ value: RedactedJSON.Value) -> RedactedJSON.Value {
        switch value {
        case .object(let object):
            var clean: [String: RedactedJSON.Value] = [:]
            for (key, inner) in object {
                clean[key] = isSecret(key) ? .string("[redacted]") : redact(inner)
            }
            return .object(clean)
        case .array(let array): return .array(array.map(redact))
        case .string(let string) where string.count > maxString: return .string(String(string.prefix(maxString)) + "…")
        default: return value
        }
    }

    static func isSecret(_ key: String) -> Bool {
        let lower = key.lowercased()
        return secretWords.contains { lower.contains($0) }
    }
}
