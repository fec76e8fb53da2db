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

    init(app: Application) {
        database = LateDatabase(app: app)
    }

    func record(_ entry: Entry) async {
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
        // An audit line that cannot be written must not fail the call it describes.
        guard let database = try? database.database() else { return }
        try? await log.create(on: database)
    }
}
