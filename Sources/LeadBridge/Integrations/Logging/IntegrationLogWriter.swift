import Fluent
import Foundation
import Vapor

/// Writes one provider call into `integration_logs`, redacted.
struct IntegrationLogWriter: Sendable {
    struct Entry: Sendable {
        var provider: String
        var action: String
        var relatedType: String?
        var relatedID: Int?
        var payload: Data?
        var response: Data?
        var httpStatus: Int?
        var durationMS: Int
        var errorMessage: String?
    }

    /// Where the line goes; once the app has shut down there is none, and the line is dropped.
    let database: LateDatabase

    /// True when the line was written; false when it was dropped (the app had shut down, or the
    /// write failed), which must not fail the call it describes.
    @discardableResult
    func record(_ entry: Entry) async -> Bool {
        let log = IntegrationLog()
        log.provider = entry.provider
        log.action = entry.action
        log.requestID = UUID().uuidString.lowercased()
        log.status = entry.errorMessage == nil ? "success" : "failed"
        log.relatedType = entry.relatedType
        log.relatedID = entry.relatedID
        log.payload = Redactor.redact(entry.payload)
        log.response = Redactor.redact(entry.response)
        log.errorMessage = entry.errorMessage
        log.httpStatus = entry.httpStatus
        log.durationMS = entry.durationMS
        guard let database = try? database.database() else { return false }
        do {
            try await log.create(on: database)
            return true
        } catch {
            return false
        }
    }
}
