import Fluent
import Foundation
import RingCentralKit
import SQLKit
import Vapor

/// `syncCallLogs(dateFrom:)`: pages through RingCentral's call log (1,000 records a page,
/// following `navigation.nextPage`) and upserts each page into `call_logs` by
/// `ringcentral_id`, so overlapping runs and shifted page boundaries change nothing twice.
/// Each call is linked to the latest enquiry whose phone is the other party's number.
struct CallLogSync {
    struct Outcome: Sendable, Equatable {
        var pages = 0
        var records = 0
        var linked = 0
        var from: Date
        var through: Date?
    }

    /// A progress report after each page: pages done, total pages when known, records so far.
    typealias Progress = @Sendable (_ page: Int, _ totalPages: Int?, _ records: Int) async -> Void

    /// Runs after the last synced start time minus this much, so a call logged late is not missed.
    static let overlap: TimeInterval = 5 * 60
    /// RingCentral logs a call when it ends: a run also looks this far behind the previous
    /// run's start, so a call still going on then (up to this long) is fetched next time.
    static let lookback: TimeInterval = 2 * 60 * 60
    static let windowEndKey = "call_log_window_end"
    /// 10 million calls: far beyond any account, but a loop that cannot run forever.
    static let maxPages = 10_000
    /// The first sync ever looks this far back unless told otherwise.
    static let firstSyncLookback: TimeInterval = 7 * 24 * 60 * 60
    static let syncedThroughKey = "call_log_synced_through"

    let service: RingCentralService
    var now: @Sendable () -> Date

    func sync(dateFrom explicitFrom: Date? = nil, client: RingCentralClient? = nil,
              progress: Progress? = nil) async throws -> Outcome {
        let resolvedClient: RingCentralClient
        if let client { resolvedClient = client } else { resolvedClient = try await service.client(relatedType: "call_logs") }
        let client = resolvedClient
        let startedAt = now()
        let bookkeeping = try await service.settings.values()
        let previousThrough = bookkeeping[Self.syncedThroughKey].flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
        let from = explicitFrom ?? defaultFrom(bookkeeping, now: startedAt)
        var outcome = Outcome(from: from)
        // dateTo pins the window: calls made during the sync wait for the next run
        // instead of shifting the pages under it.
        let scope = RingCentralSettingsStore.callLogScope(bookkeeping)
        var page = try await client.callLog(dateFrom: from, dateTo: startedAt, perPage: 1000, scope: scope)
        while true {
            outcome.pages += 1
            outcome.records += page.records.count
            outcome.linked += try await upsert(page.records)
            if let latest = page.records.compactMap(\.startDate).max() { outcome.through = max(outcome.through ?? latest, latest) }
            await progress?(outcome.pages, page.totalPages, outcome.records)
            guard let next = page.nextPageURI, !page.records.isEmpty, outcome.pages < Self.maxPages else { break }
            page = try await client.callLogPage(following: next)
        }
        var updates: [String: String?] = [
            Self.windowEndKey: String(startedAt.timeIntervalSince1970), RingCentralSettingsStore.Key.callLogLastRun: String(now().timeIntervalSince1970),
        ]
        if let through = outcome.through, through > (previousThrough ?? .distantPast) {
            updates[Self.syncedThroughKey] = String(through.timeIntervalSince1970)
        }
        try await service.settings.setValues(updates)
        return outcome
    }

    /// The earlier of: the last synced call's start less the overlap, and the previous run's
    /// window end less the lookback (calls in progress then were not in the log yet).
    private func defaultFrom(_ bookkeeping: [String: String], now: Date) -> Date {
        let through = bookkeeping[Self.syncedThroughKey].flatMap(Double.init)
            .map { Date(timeIntervalSince1970: $0).addingTimeInterval(-Self.overlap) }
        let windowEnd = bookkeeping[Self.windowEndKey].flatMap(Double.init)
            .map { Date(timeIntervalSince1970: $0).addingTimeInterval(-Self.lookback) }
        guard let earliest = [through, windowEnd].compactMap({ $0 }).min() else {
            return now.addingTimeInterval(-Self.firstSyncLookback)
        }
        return earliest
    }

    /// One multi-row upsert per page; returns how many records were linked to an enquiry.
    private func upsert(_ page: [RingCentralCallLogRecord]) async throws -> Int {
        // PostgreSQL refuses an upsert that touches one row twice: one record per id.
        var seen = Set<String>()
        let records = page.filter { seen.insert($0.id).inserted }
        guard !records.isEmpty else { return 0 }
        let sql = try service.context.db.sql()
        let numbers = Set(records.compactMap(Self.otherParty))
        let enquiries = try await EnquiryPhoneIndex.lookup(numbers, on: service.context.db)
        let stamp = now()
        var linked = 0
        var insert = sql.insert(into: "call_logs").columns(
            "ringcentral_id", "session_id", "direction", "type", "action", "result", "start_time", "duration",
            "from_data", "to_data", "other_party_phone", "recording_url", "contact_submission_id", "metadata", "created_at", "updated_at")
        for record in records {
            let otherParty = Self.otherParty(record)
            let enquiry = otherParty.flatMap { enquiries[$0] }
            if enquiry != nil { linked += 1 }
            insert = insert.values([
                SQLBind(record.id), SQLBind(record.sessionId), SQLBind(Self.lowercased(record.direction, allowed: ["inbound", "outbound"])),
                SQLBind(Self.lowercased(record.type, allowed: ["voice", "fax", "sms"])), SQLBind(record.action), SQLBind(record.result),
                SQLBind(record.startDate), SQLBind(record.duration.map { Int32(clamping: $0) }),
                SQLBind(Self.party(record.from)), SQLBind(Self.party(record.to)), SQLBind(otherParty),
                SQLBind(record.recording?.contentUri.map { String($0.prefix(500)) }), SQLBind(enquiry),
                SQLBind(Self.metadata(record)), SQLBind(stamp), SQLBind(stamp),
            ] as [any SQLExpression])
        }
        insert = insert.onConflict(with: ["ringcentral_id"]) { update in
            for column in ["session_id", "direction", "type", "action", "result", "start_time", "duration", "from_data",
                           "to_data", "other_party_phone", "recording_url", "metadata", "updated_at"] {
                update.set(excludedValueOf: column)
            }
            // A call stays with the enquiry that claimed it, even when a later enquiry has the same
            // phone or the enquiry's phone changes; an unclaimed call takes this run's match.
            return update.set(SQLIdentifier("contact_submission_id"), to: SQLFunction("COALESCE", args: [
                SQLColumn("contact_submission_id", table: "call_logs"), SQLColumn("contact_submission_id", table: "excluded"),
            ]))
        }
        try await insert.run()
        try await followUp(records)
        return linked
    }

    /// What a page of calls means for speed to lead: a person's outbound call may be an
    /// enquiry's first contact; a missed inbound call the webhook did not report gets its text
    /// (keyed by the telephony session, so one the webhook reported is not texted twice).
    private func followUp(_ records: [RingCentralCallLogRecord]) async throws {
        let db = try service.context.db
        var contacts: [(phone: String, at: Date)] = []
        var queued = false
        let speedToLead = SpeedToLeadService(context: service.context)
        // Read once a page, and only when a missed call could use it.
        var settings: SpeedToLeadSettings?
        for record in records where record.type == nil || record.type == "Voice" {
            guard let phone = Self.otherParty(record), let start = record.startDate else { continue }
            if record.direction == "Outbound" {
                contacts.append((phone, start))
            } else if record.direction == "Inbound", ["Missed", "Voicemail"].contains(record.result ?? "") {
                var key = "rc:" + record.id
                if case .object(let raw) = record.raw, case .string(let session)? = raw["telephonySessionId"], !session.isEmpty {
                    key = session
                }
                if settings == nil { settings = try await speedToLead.settings(on: db).load() }
                guard settings?.missedCallOn == true else { continue }
                queued = try await speedToLead.planMissedCall(from: phone, callKey: key, at: start, settings: settings, on: db) || queued
            }
        }
        try await FirstContact.record(contacts, on: db)
        if queued { service.context.jobQueue.wakeup?.signal() }
    }

    /// The lead's number: the caller on inbound calls, the callee on outbound ones.
    static func otherParty(_ record: RingCentralCallLogRecord) -> String? {
        let party = record.direction == "Inbound" ? record.from : record.to
        return party?.phoneNumber.flatMap(PhoneNumber.e164)
    }

    static func party(_ party: RingCentralCallParty?) -> [String: String]? {
        guard let party else { return nil }
        var data: [String: String] = [:]
        data["phoneNumber"] = party.phoneNumber
        data["extensionNumber"] = party.extensionNumber
        data["name"] = party.name
        data["location"] = party.location
        return data
    }

    /// What RingCentral sent beyond the columns, minus what is already in them.
    static func metadata(_ record: RingCentralCallLogRecord) -> [String: JSONValue]? {
        guard case .object(var object) = record.raw else { return nil }
        for key in ["id", "sessionId", "startTime", "duration", "type", "direction", "action", "result", "from", "to"] {
            object[key] = nil
        }
        return object
    }

    private static func lowercased(_ value: String?, allowed: Set<String>) -> String? {
        guard let value = value?.lowercased(), allowed.contains(value) else { return nil }
        return value
    }
}

/// Finds enquiries by phone number (E.164, as intake stores them): the latest enquiry wins.
enum EnquiryPhoneIndex {
    static func lookup(_ numbers: Set<String>, on db: any Database) async throws -> [String: Int] {
        guard !numbers.isEmpty else { return [:] }
        var found: [String: Int] = [:]
        // Chunked to stay far below either database's limit on bound parameters.
        for chunk in Array(numbers).chunked(into: 500) {
            let rows = try await Enquiry.query(on: db).filter(\.$phone ~~ chunk)
                .sort(\.$createdAt, .ascending).sort(\.$id, .ascending).all()
            for row in rows { if let phone = row.phone, let id = row.id { found[phone] = id } }
        }
        return found
    }

    static func enquiry(for number: String, on db: any Database) async throws -> Int? {
        guard let e164 = PhoneNumber.e164(number) else { return nil }
        return try await lookup([e164], on: db)[e164]
    }
}

extension Array {
    func chunked(into size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
