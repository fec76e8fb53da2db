import Foundation
import Vapor

/// A day typed into a list's From or To box (`2026-11-03`, a UTC day): the enquiries, calls and
/// messages lists read it the same way, and a malformed one is a 400 that says what to type
/// rather than a filter silently left out.
enum AdminDay {
    static func parse(_ text: String?, label: String) throws -> Date? {
        guard let value = text?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        guard value.count == 10, let date = try? Date(value + "T00:00:00Z", strategy: .iso8601) else {
            throw Abort(.badRequest, reason: "\(label) must be a date like 2026-11-03.")
        }
        return date
    }
}
