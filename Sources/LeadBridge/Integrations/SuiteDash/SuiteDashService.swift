import Fluent
import Foundation
import SuiteDashKit

/// SuiteDash as the app uses it, built once at start-up (`app.services.suiteDash`): its
/// settings, clients made from them with every call written to `integration_logs`, the
/// connection test, queuing syncs, and import mode's CSV exports.
struct SuiteDashService: Sendable {
    let context: IntegrationContext

    // MARK: Settings and clients

    /// The settings on a given connection: inside a transaction, pass the transaction,
    /// or SQLite's one connection per event loop can end up waiting on itself.
    func settings(on db: any Database) -> SuiteDashSettingsStore {
        SuiteDashSettingsStore(database: db, secrets: context.secrets, environment: context.config.suiteDash)
    }

    /// The settings on the app's default database.
    var settings: SuiteDashSettingsStore {
        get throws { settings(on: try context.db) }
    }

    func client(_ configuration: SuiteDashSettings, credentials: SuiteDashClient.Credentials,
                relatedType: String? = nil, relatedID: Int? = nil) -> SuiteDashClient {
        let logs = context.logs
        return SuiteDashClient(baseURL: configuration.apiURL, credentials: credentials, httpClient: context.httpClient,
                               timeout: .seconds(20)) { record in
            await logs.record(.init(
                provider: SuiteDashSettingsStore.provider, action: record.endpoint, relatedType: relatedType, relatedID: relatedID,
                payload: record.requestBody, response: record.responseBody, httpStatus: record.status,
                durationMS: record.durationMilliseconds, errorMessage: record.error.map(String.init(describing:))))
        }
    }

    /// Calls that reached SuiteDash since the start of this month (UTC): what counts against the plan.
    func requestsThisMonth(now: Date) async throws -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let monthStart = calendar.date(from: calendar.dateComponents([.year, .month], from: now)) ?? now
        // Kept per day by the database (021_CountByDay): counting the month's log rows cost
        // every sync and every dashboard view a scan.
        // No end: as the log query had none (rows are stamped by the database's clock, not `now`).
        return try await DailyCounts.read("suitedash_calls", days: DailyCounts.day(of: monthStart)...Int(Int32.max),
                                          on: try context.db).total()
    }

    /// What holds automatic syncs back right now (the month's budget, the per-minute ceiling),
    /// in sentences for the dashboard and the SuiteDash page.
    func holds(_ settings: SuiteDashSettings, requestsThisMonth: Int, on db: any Database) async throws -> [String] {
        try await SuiteDashBudget.holds(settings: settings, requestsThisMonth: requestsThisMonth,
                                        reservePercent: context.config.suiteDash.budgetReservePercent,
                                        perMinute: context.config.suiteDash.syncsPerMinute, now: context.clock.now(), on: db)
    }

    // MARK: Connection test

    struct ConnectionTestOutcome: Sendable { let success: Bool; let message: String; let resumedJobs: Int }

    /// The admin's "Test Connection": one cheap call (`GET /contact/meta`); its verdict is stored,
    /// and a pass releases every sync job that was held for SuiteDash.
    func testConnection() async throws -> ConnectionTestOutcome {
        let store = try settings
        let configuration = try await store.load()
        guard let credentials = configuration.credentials else {
            let message = "Enter the Public ID and Secret Key from SuiteDash > Integrations > Secure API first."
            try await store.recordTest(success: false, message: message, at: context.clock.now())
            return ConnectionTestOutcome(success: false, message: message, resumedJobs: 0)
        }
        if SuiteDashDummyKeys.matches(publicID: credentials.publicID, secretKey: credentials.secretKey) {
            let message = Self.dummyKeysSentence
            try await store.recordTest(success: false, message: message, at: context.clock.now())
            return ConnectionTestOutcome(success: false, message: message, resumedJobs: 0)
        }
        let meta: SuiteDashContactMeta
        do {
            meta = try await client(configuration, credentials: credentials).testConnection()
        } catch let error as SuiteDashError {
            let message = Self.connectionFailure(error, apiURL: configuration.apiURL)
            try await store.recordTest(success: false, message: message, at: context.clock.now())
            return ConnectionTestOutcome(success: false, message: message, resumedJobs: 0)
        }
        let count = meta.customFields.count
        let message = "Connected: SuiteDash accepted the keys. "
            + (count == 0 ? "The account has no custom fields." : "\(count) custom field\(count == 1 ? "" : "s") found.")
        try await store.recordTest(success: true, message: message, at: context.clock.now(), customFields: meta.customFields)
        let resumed = configuration.isEnabled && configuration.mode == .api
            ? try await context.jobQueue.resume(waitingFor: SyncEnquiryToSuiteDash.waitKey, on: try context.db) : 0
        return ConnectionTestOutcome(success: true, message: message, resumedJobs: resumed)
    }

    /// Why a connection test failed, in a sentence that says what to do (Test Connection and `leadbridge doctor`).
    static func connectionFailure(_ error: SuiteDashError, apiURL: String) -> String {
        switch error {
        case .unauthorized: "SuiteDash refused these keys. Copy the Public ID and a Secret Key again from SuiteDash > Integrations > Secure API."
        case .transport: "SuiteDash could not be reached at \(apiURL): check the API URL and this server's network. (\(error))"
        default: error.description
        }
    }

    static let dummyKeysSentence = "These are the sample keys from SuiteDash's API reference (Public ID 00000000-0000-0000-0000-000000000000): SuiteDash answers some reads with them, but no contact can be created. Paste your own Public ID and Secret Key from SuiteDash > Integrations > Secure API."

    // MARK: Syncing

    /// In API mode with the integration on, one sync job per new enquiry, committed with it.
    /// Settings that cannot be read (a rotated APP_KEY, say) must not cost the enquiry: the
    /// job is queued anyway and checks the settings itself when it runs.
    /// Returns whether jobs were queued.
    @discardableResult
    func queueSyncIfEnabled(_ ids: [Int], on db: any Database, limitedPerAddress: Bool = true) async throws -> Bool {
        let configuration: SuiteDashSettings
        do {
            configuration = try await settings(on: db).load()
        } catch {
            context.logger.error("SuiteDash settings could not be read; queuing the sync anyway", metadata: ["error": "\(error)"])
            try await queueSync(ids, on: db)
            return true
        }
        guard configuration.syncsAutomatically else { return false }
        guard limitedPerAddress, let perDay = context.config.suiteDash.syncsPerAddressPerDay else {
            try await queueSync(ids, on: db)
            return true
        }
        let allowance = AddressSyncAllowance(perDay: perDay, unlimited: context.config.suiteDash.syncsUnlimitedFrom)
        let (sync, held) = try await allowance.split(ids, on: db, now: context.clock.now())
        for hold in held {
            try await Enquiry.query(on: db).filter(\.$id == hold.id)
                .set(\.$syncError, to: allowance.sentence(address: hold.address, ordinal: hold.ordinal)).update()
        }
        guard !sync.isEmpty else { return false }
        try await queueSync(sync, on: db)
        return true
    }

    /// Queues a sync for each enquiry (one pending job per enquiry at most).
    func queueSync(_ ids: [Int], on db: any Database) async throws {
        try await context.jobQueue.enqueueMany(
            SyncEnquiryToSuiteDash.self, ids.map { .init(enquiryID: $0) }, on: db,
            uniqueKeys: ids.map(SyncEnquiryToSuiteDash.uniqueKey))
    }

    /// An admin's Sync now: a job that may spend the budget's reserve and skips the ceiling. A
    /// waiting automatic job for the enquiry is replaced (unless a worker is running it now).
    func queueManualSync(_ id: Int, on db: any Database) async throws {
        try await QueuedJob.query(on: db).filter(\.$uniqueKey == SyncEnquiryToSuiteDash.uniqueKey(id))
            .filter(\.$reservedBy == nil).delete()
        try await context.jobQueue.enqueue(SyncEnquiryToSuiteDash.self, .init(enquiryID: id, manual: true), on: db,
                                           uniqueKey: SyncEnquiryToSuiteDash.uniqueKey(id))
    }

    /// The sync's rules, for the job that runs them.
    var enquirySync: EnquirySync { EnquirySync(suiteDash: self) }

    // MARK: Import mode

    var exporter: SuiteDashExporter { SuiteDashExporter(service: self) }
}
