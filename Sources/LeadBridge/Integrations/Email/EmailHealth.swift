import Fluent
import Foundation

/// Whether email is working, in a sentence for the dashboard and Admin > Email: self-hosted
/// mail fails silently unless someone says so.
enum EmailHealth {
    static func warning(on db: any Database, now: Date) async throws -> String? {
        let dayAgo = now.addingTimeInterval(-24 * 3600)
        let failed = try await EmailMessage.query(on: db).filter(\.$status == .failed).filter(\.$kind != .test)
            .filter(\.$createdAt > dayAgo).count()
        // Queued for more than ten minutes: the server keeps refusing for now (4xx) or cannot be reached.
        let stuck = try await EmailMessage.query(on: db).filter(\.$status == .queued).filter(\.$kind != .staffSummary)
            .filter(\.$createdAt < now.addingTimeInterval(-600)).count()
        guard failed > 0 || stuck > 0 else { return nil }
        var parts: [String] = []
        if failed > 0 { parts.append("\(failed) \(failed == 1 ? "email" : "emails") failed in the last 24 hours") }
        if stuck > 0 { parts.append("\(stuck) \(stuck == 1 ? "has" : "have") waited more than ten minutes for the mail server") }
        let latest = try await EmailMessage.query(on: db).filter(\.$reason != nil).filter(\.$status ~~ [.failed, .queued])
            .sort(\.$id, .descending).first()?.reason
        return "Email is failing: " + parts.joined(separator: ", and ") + "." + (latest.map { " The latest reason: " + $0 } ?? "") + " See Admin > Email."
    }
}
