import Foundation

/// Typed reads of environment values, with errors that name the variable.
struct EnvironmentReader {
    let values: [String: String]

    /// A trimmed value; empty counts as unset, as in a `.env` line `NAME=`.
    func string(_ name: String) -> String? {
        guard let raw = values[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        return raw
    }

    func int(_ name: String) throws -> Int? {
        guard let raw = string(name) else { return nil }
        guard let value = Int(raw) else {
            throw ConfigurationError.invalid("\(name) must be a whole number, not \"\(raw)\".")
        }
        return value
    }

    func bool(_ name: String) throws -> Bool? {
        guard let raw = string(name)?.lowercased() else { return nil }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError.invalid("\(name) must be true or false, not \"\(raw)\".")
        }
    }

    /// A comma-separated list, blanks dropped.
    func list(_ name: String) -> [String] {
        (string(name) ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }
}
