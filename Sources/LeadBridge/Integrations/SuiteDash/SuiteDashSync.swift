import Fluent
import Vapor

/// Queues SuiteDash syncs: for new enquiries (inside their transaction) and on request.
enum SuiteDashSync {
    /// In API mode with the integration on, one sync job per new enquiry, committed with it.
    /// Settings that cannot be read (a rotated APP_KEY, say) must not cost the enquiry: the
    /// job is queued anyway and checks the settings itself when it runs.
    static func enqueueIfEnabled(_ ids: [Int], app: Application, on db: any Database) async throws {
        let store = SuiteDashGateway(app: app).store(on: db)
        let configuration: SuiteDashConfiguration
        do {
            configuration = try await store.load()
        } catch {
            app.logger.error("SuiteDash settings could not be read; queuing the sync anyway", metadata: ["error": "\(error)"])
            try await enqueue(ids, app: app, on: db)
            return
        }
        guard configuration.syncsAutomatically else { return }
        try await enqueue(ids, app: app, on: db)
    }

    /// Queues a sync for each enquiry (one pending job per enquiry at most).
    static func enqueue(_ ids: [Int], app: Application, on db: any Database) async throws {
        try await app.services.jobQueue.enqueueMany(
            SyncEnquiryToSuiteDash.self, ids.map { .init(submissionID: $0) }, on: db,
            uniqueKeys: ids.map(SyncEnquiryToSuiteDash.uniqueKey))
    }
}
