import Foundation

/// A JSON document with every secret-looking value replaced, for `integration_logs`.
struct RedactedJSON: Codable, Sendable, Equatable {
    indirect enum Value: Codable, Sendable, Equatable {
        case null, bool(Bool), number(Double), string(String), array([Value]), object([String: Value])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let bool = try? container.decode(Bool.self) { self = .bool(bool) }
            else if let number = try? container.decode(Double.self) { self = .number(number) }
            else if let string = try? container.decode(String.self) { self = .string(string) }
            else if let array = try? container.decode([Value].self) { self = .array(array) }
            else { self = .object(try container.decode([String: Value].self)) }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .null: try container.encodeNil()
            case .bool(let bool): try container.encode(bool)
            case .number(let number): try container.encode(number)
            case .string(let string): try container.encode(string)
            case .array(let array): try container.encode(array)
            case .object(let object): try container.encode(object)
            }
        }
    }

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

    static func redact(_ data: Data?) -> RedactedJSON? {
        guard let data, !data.isEmpty else { return nil }
        if let value = try? JSONDecoder().decode(RedactedJSON.Value.self, from: data) {
            return RedactedJSON(redact(value))
        }
        return RedactedJSON(.string(String(String(decoding: data, as: UTF8.self).prefix(maxString))))
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
