import Foundation

/// What a JSON enquiry carries beyond the contact fields: an `extra` object, any other key
/// (kept as an extra field under its own name), the attribution keys and `last_touch`.
/// Values are text, numbers or true/false; a list is kept as its items joined by commas;
/// an object anywhere but `extra` and `last_touch` is refused with a sentence.
enum JSONExtraFields {
    /// Any JSON value; decoded strictly (1 is a number, not true).
    indirect enum Value: Decodable {
        case text(String), flag(Bool), number(String), list([Value]), object([String: Value]), null

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            // Text first: nearly every value is text, and each refused guess throws (an error
            // allocated and unwound), which was most of this second read of the body.
            if container.decodeNil() { self = .null }
            else if let text = try? container.decode(String.self) { self = .text(text) }
            else if let flag = try? container.decode(Bool.self) { self = .flag(flag) }
            else if let whole = try? container.decode(Int64.self) { self = .number(String(whole)) }
            else if let number = try? container.decode(Double.self) { self = .number(String(number)) }
            else if let list = try? container.decode([Value].self) { self = .list(list) }
            else { self = .object(try container.decode([String: Value].self)) }
        }
    }

    static func read(_ body: Data, into input: inout ContactInput) -> FieldErrors {
        guard let object = try? JSONDecoder().decode([String: Value].self, from: body) else { return [:] }
        var errors = FieldErrors()
        var attribution: [String: String] = [:]
        var extras: [ContactInput.RawField] = []
        // JSON objects have no order; names sorted keep the stored order stable.
        for key in object.keys.sorted() {
            let value = object[key]!
            if key == "extra" {
                guard case .object(let fields) = value else {
                    errors["extra"] = "“extra” must be an object of field names and their text, like {\"budget\": \"10k\"}."
                    continue
                }
                for name in fields.keys.sorted() {
                    if let text = text(fields[name]!) { extras.append(.init(name: name, value: text)) }
                    else { errors[name] = "“\(name)” in extra must be text, a number or true/false." }
                }
            } else if key == "last_touch" {
                if case .object(let touch) = value {
                    input.lastTouch = Attribution(raw: touch.compactMapValues { text($0) })
                } else if case .text(let json) = value {
                    input.lastTouch = Attribution.fromJSON(json)
                }
            } else if Attribution.Key(rawValue: key) != nil {
                if let text = text(value) { attribution[key] = text }
            } else if FormField.reservedNames.contains(key) {
                // The contact fields (decoded by ContactInput) and LeadBridge's own keys.
                continue
            } else if let text = text(value) {
                extras.append(.init(name: key, value: text))
            } else if case .null = value {
                continue
            } else {
                errors[key] = "“\(key)” must be text, a number or true/false; put further fields in “extra”."
            }
        }
        input.attribution = Attribution(raw: attribution)
        input.extras = extras
        return errors
    }

    private static func text(_ value: Value) -> String? {
        switch value {
        case .text(let string): return string
        case .flag(let flag): return flag ? "true" : "false"
        case .number(let number): return number
        case .list(let items):
            let texts = items.compactMap { item -> String? in
                if case .list = item { return nil }
                return text(item)
            }
            return texts.count == items.count ? texts.joined(separator: ", ") : nil
        case .object, .null: return nil
        }
    }
}
