import Fluent
import Logging
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// Commits enquiries in groups: every enquiry that arrives while a commit is under way
/// goes into the next one, as a single multi-row INSERT.
///
/// On SQLite every commit is an fsync (WAL with synchronous=FULL, so an enquiry that got
/// its 201 survives a power cut) and there is one writer at a time; each statement is also
/// a hop to SQLite's thread pool. One INSERT for many rows pays both costs once per group
/// instead of once per visitor. Each caller still resumes only after the commit that holds
/// its row: "committed before the response" is kept. The same path runs on PostgreSQL.
///
/// On SQLite the writer also moves new enquiries into the search index
/// (`EnquirySearchBacklog`), in a transaction of its own between groups, once `indexBatch` of
/// its enquiries wait. Done here, it never competes with the writer's own groups for SQLite's
/// one write lock (the scheduler's pass is one such step every 10 s).
/// Fewer wait for the scheduler's pass every 10 s (`EnquirySearchBacklog.recurringTask`); the
/// search reads them row by row meanwhile. No timer of its own; shutdown waits for the step
/// in hand (`untilIdle`).
actor EnquiryWriter {
    struct Row: Sendable {
        let enquiry: ValidEnquiry
        let origin: EnquiryIntake.Origin
        let receivedAt: Date
    }

    private struct Waiting: Sendable {
        let row: Row
        let continuation: CheckedContinuation<Int, any Error>
    }

    /// The app's database; once the app has shut down, a commit fails instead of crashing.
    private let database: LateDatabase
    /// Run inside the same transaction, after the rows are in; nil where a test wants rows alone.
    private let followUps: NewEnquiryFollowUps?
    private let maxGroup: Int
    private var waiting: [Waiting] = []
    private var committing = false
    /// Groups that were refused as a whole and stored row by row (for tests and curiosity).
    private(set) var splitGroups = 0
    /// Whether enquiries wait for the search index (SQLite), so this writer indexes them.
    private let indexesSearch: Bool
    private let indexBatch: Int
    /// Enquiries this writer stored that may still wait for the index.
    private var unindexed = 0
    private let logger = Logger(label: "leadbridge.search-index")
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    init(database: LateDatabase, maxGroup: Int = 500, followUps: NewEnquiryFollowUps?,
         indexesSearch: Bool = false, indexBatch: Int = EnquirySearchBacklog.batchSize) {
        self.database = database
        self.followUps = followUps
        self.maxGroup = maxGroup
        self.indexesSearch = indexesSearch
        self.indexBatch = indexBatch
    }

    /// Stores the enquiry and returns its id once it is committed.
    func insert(_ row: Row) async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append(Waiting(row: row, continuation: continuation))
            if !committing {
                committing = true
                Task { await self.commitWhileWaiting() }
            }
        }
    }

    private func commitWhileWaiting() async {
        while !waiting.isEmpty {
            let group = Array(waiting.prefix(maxGroup))
            waiting.removeFirst(group.count)
            await commit(group)
            if unindexed >= indexBatch { await indexSearchBacklog() }
        }
        committing = false
        let idle = idleWaiters
        idleWaiters = []
        for waiter in idle { waiter.resume() }
    }

    /// Returns once nothing is being committed or indexed. At shutdown, before the databases
    /// close: an index step runs after its group's visitors were answered, so the app's last
    /// answer does not mean the writer is done (a connection the step opened while the pools
    /// closed was left open, and SQLiteNIO's debug check killed the test process).
    func untilIdle() async {
        guard committing else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    /// One step of `EnquirySearchBacklog`. A failure costs only search speed (the search reads
    /// waiting enquiries row by row; the scheduler tries again in 10 s), so it is logged, not retried.
    private func indexSearchBacklog() async {
        do {
            let db = try database.database()
            let batch = indexBatch
            let indexed = try await DatabaseBusy.retrying { try await EnquirySearchBacklog.indexSome(limit: batch, on: db) }
            unindexed = indexed < batch ? 0 : max(0, unindexed - indexed)
        } catch is LateDatabase.ShutDown {
            unindexed = 0
        } catch {
            unindexed = 0
            logger.warning("New enquiries could not be added to the search index; the scheduler will try again",
                           metadata: ["error": "\(error)"])
        }
    }

    private func commit(_ group: [Waiting]) async {
        do {
            let followUps = self.followUps
            let database = try database.database()
            let (ids, queuedJobs) = try await DatabaseBusy.retrying {
                try await database.transaction { db in
                    let ids = try await Self.insertRows(group.map(\.row), on: db)
                    // Spam is kept, and nothing follows it: no sync, no alert, no text.
                    let real = zip(group, ids).filter { $0.0.row.enquiry.spamReason == nil }.map(\.1)
                    return (ids, try await followUps?.run(real, on: db) ?? false)
                }
            }
            followUps?.committed(queuedJobs: queuedJobs)
            if indexesSearch { unindexed += group.count }
            for (waiter, id) in zip(group, ids) { waiter.continuation.resume(returning: id) }
        } catch where group.count > 1 && !DatabaseBusy.isBusy(error) {
            // Something in the group was refused: store each alone, so only that one fails.
            splitGroups += 1
            for waiter in group { await commit([waiter]) }
        } catch {
            // Still busy after the retries (another writer held on), or one enquiry refused.
            for waiter in group { waiter.continuation.resume(throwing: error) }
        }
    }

    /// What a new enquiry's INSERT writes; `values(for:)` binds them in this order.
    static let columns: [Enquiry.Column] = [
        .firstName, .lastName, .email, .phone, .company, .serviceInterest, .message, .source,
        .consent, .consentAt, .consentText, .smsConsent, .smsConsentAt, .smsConsentText, .ip, .ipNetwork, .forwardedBy, .userAgent, .status, .createdAt, .updatedAt,
        .formID, .extraFields, .lastTouch, .channel, .spamReason,
    ] + Attribution.Key.allCases.map(\.column)

    /// One INSERT for all rows; returns their ids in the rows' order.
    static func insertRows(_ rows: [Row], on db: any Database) async throws -> [Int] {
        guard let sql = db as? any SQLDatabase else { throw EnquiryWriterError.notSQL }
        var insert = sql.insert(into: Enquiry.schema).columns(columns.map(\.rawValue))
        for row in rows { insert = insert.values(values(for: row)) }
        let ids = try await insert.returning("id").all().map { try $0.decode(column: "id", as: Int.self) }
        guard ids.count == rows.count else { throw EnquiryWriterError.missingIDs }
        // Ids from one statement increase in row order on both databases, whatever order
        // RETURNING lists them in.
        return ids.sorted()
    }

    private static func values(for row: Row) -> [any SQLExpression] {
        let e = row.enquiry
        let network: String? = row.origin.ip.flatMap(ClientAddress.senderNetwork)
        let binds: [any Encodable & Sendable] = [
            e.firstName, e.lastName, e.email, e.phone, e.company, e.serviceInterest, e.message, e.source,
            e.consent, e.consent ? row.receivedAt : nil, e.consentText,
            e.smsConsent, e.smsConsent ? row.receivedAt : nil, e.smsConsentText, row.origin.ip.map { String($0.prefix(45)) },
            network, row.origin.forwardedBy.map { String($0.prefix(45)) },
            row.origin.userAgent.map { String(TextSanitizer.singleLine($0).prefix(512)) },
            (e.spamReason == nil ? EnquiryStatus.pending : .spam).rawValue, row.receivedAt, row.receivedAt,
            e.formID, ExtraFieldValue.encode(e.extras), e.lastTouch.json, e.attribution.channel,
            e.spamReason.map { String($0.prefix(200)) },
        ] + Attribution.Key.allCases.map { key -> any Encodable & Sendable in e.attribution[key] }
        return binds.map { SQLBind($0) }
    }
}

enum EnquiryWriterError: Error { case notSQL, missingIDs }
