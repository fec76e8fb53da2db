import Foundation

/// Any JSON value, as a custom field may hold one (text, a number, a yes/no, a multi-select's
/// list, an object). Custom fields are read and sent back as they came: SuiteDash's PUT
/// replaces `custom_fields` whole, so a value LeadBridge did not understand must still go
/// back unchanged, not be dropped or turned into text.
public enum SuiteDashValue: Codable, Equatable, Sendable, ExpressibleByStringLiteral {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([SuiteDashValue])
    case object([String: SuiteDashValue])
    case null

    public init(stringLiteral value: String) { self = .string(value) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([SuiteDashValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: SuiteDashValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// The value as one line of text, for comparing with what LeadBridge would send; nil for
    /// lists, objects and null.
    public var text: String? {
        switch self {
        case .string(let value): return value
        case .number(let value): return value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .bool(let value): return value ? "true" : "false"
        case .array, .object, .null: return nil
        }
    }
}
