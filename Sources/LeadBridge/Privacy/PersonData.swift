import Fluent
import Foundation
import SQLKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything LeadBridge holds about one person, found by email or phone: their enquiries, the
/// calls and texts with them, the CSV exports that carried them, and the integration log rows
/// about them. Found, exported as one JSON file, or erased in one transaction.
///
/// What SuiteDash and RingCentral hold is theirs to erase: nothing here calls them.
struct PersonData: Sendable {
    let database: any Database
    /// Where import mode's CSV files are (`SUITEDASH_EXPORT_PATH`): an erasure rewrites those
    /// that carried the person, without their rows.
    let exportsFolder: String

    struct Found: Sendable {
        var enquiryIDs: [Int] = []
        var callIDs: [Int] = []
        var textIDs: [Int] = []
        var exportIDs: [Int] = []
        var logIDs: [Int] = []
        var webhookEventIDs: [Int] = []
        /// Their automatic texts (alerts about them, replies to them); deleted with them.
        var automaticTextIDs: [Int] = []
        /// Calls and inbound texts tied to their enquiries only because a visitor typed that phone
        /// number (which proves nothing: it may be someone else's): included only when the admin
        /// asks (`PersonQuery.includePhoneLinked`), and kept apart in the export.
        var phoneLinkedCallIDs: [Int] = []
        var phoneLinkedTextIDs: [Int] = []
        /// How many such calls and texts were left out, and the numbers they were linked by.
        var phoneLinkedLeftOut = (calls: 0, texts: 0)
        var phoneLinkedNumbers: [String] = []
        var isEmpty: Bool { enquiryIDs.isEmpty && callIDs.isEmpty && textIDs.isEmpty && logIDs.isEmpty }
        /// Everything erased with them.
        var allCallIDs: [Int] { callIDs + phoneLinkedCallIDs }
        var allTextIDs: [Int] { textIDs + phoneLinkedTextIDs }
    }

    struct Erased: Sendable, Equatable {
        var enquiries = 0, calls = 0, texts = 0, logRows = 0, exports = 0
        /// Export files that could not be rewritten (unreadable or unwritable), by name.
        var exportsNotRewritten: [String] = []
    }

    func find(_ person: PersonQuery) async throws -> Found {
        var found = try await find(person, on: database)
        found.logIDs += try await logsNaming(person)
        found.logIDs = Array(Set(found.logIDs)).sorted()
        found.webhookEventIDs = try await webhookEventsNaming(person)
        return found
    }

    /// Log rows whose request or answer holds their email or number as a whole JSON value (with
    /// its quotes: `"ann@x.com"` is not found in `"joann@x.com"`, nor `"+4930123"` in a longer
    /// number). A scan of the table: run before any write transaction, so no lock waits on it.
    func logsNaming(_ person: PersonQuery) async throws -> [Int] {
        let sql = try database.sql()
        var filter: [SQLQueryString] = []
        for needle in [person.email, person.phone].compactMap({ $0 }) {
            let pattern = "%\"" + EnquirySearch.escapeLike(needle.lowercased()) + "\"%"
            for column in ["payload", "response"] {
                filter.append("lower(CAST(\(unsafeRaw: column) AS TEXT)) LIKE \(bind: pattern) ESCAPE '\\'")
            }
        }
        return try await ids(sql, "SELECT id FROM integration_logs WHERE \(filter.joined(separator: " OR ")) ORDER BY id")
    }

    /// RingCentral notifications kept for de-duplication whose body names the person.
    func webhookEventsNaming(_ person: PersonQuery) async throws -> [Int] {
        let sql = try database.sql()
        var filter: [SQLQueryString] = []
        for needle in [person.email, person.phone].compactMap({ $0 }) {
            filter.append("lower(CAST(payload AS TEXT)) LIKE \(bind: "%\"" + EnquirySearch.escapeLike(needle.lowercased()) + "\"%") ESCAPE '\\'")
        }
        return try await ids(sql, "SELECT id FROM webhook_events WHERE \(filter.joined(separator: " OR ")) ORDER BY id")
    }

    /// Their enquiries, and the calls, texts, exports and log rows tied to them by id or number.
    private func find(_ person: PersonQuery, on db: any Database) async throws -> Found {
        let sql = try db.sql()
        var found = Found()
        var enquiryFilter: [SQLQueryString] = []
        if let email = person.email { enquiryFilter.append("lower(email) = \(bind: email)") }
        if let phone = person.phone { enquiryFilter.append("phone = \(bind: phone)") }
        found.enquiryIDs = try await ids(sql, "SELECT id FROM contact_submissions WHERE \(enquiryFilter.joined(separator: " OR ")) ORDER BY id")
        found.exportIDs = try await found.enquiryIDs.isEmpty ? [] : ids(sql, """
            SELECT DISTINCT export_id AS id FROM contact_submissions WHERE export_id IS NOT NULL AND id IN (\(list(found.enquiryIDs))) ORDER BY 1
            """)
        // Calls and inbound texts reach an enquiry only by the phone number typed into it: those
        // are the person's only if the number is, which the admin decides. Texts sent from an
        // enquiry (by staff or automatically) are the enquiry's own.
        var callFilter: [SQLQueryString] = []
        var textFilter: [SQLQueryString] = []
        if !found.enquiryIDs.isEmpty {
            textFilter.append("contact_submission_id IN (\(list(found.enquiryIDs))) AND direction <> 'inbound'")
        }
        if let phone = person.phone {
            callFilter.append("other_party_phone = \(bind: phone)")
            textFilter.append("from_number = \(bind: phone) OR to_number = \(bind: phone)")
        }
        if !textFilter.isEmpty {
            var automaticFilter: [SQLQueryString] = []
            if !found.enquiryIDs.isEmpty { automaticFilter.append("contact_submission_id IN (\(list(found.enquiryIDs)))") }
            if let phone = person.phone { automaticFilter.append("to_numbers = \(bind: phone)") }
            found.automaticTextIDs = try await ids(sql, "SELECT id FROM automatic_texts WHERE \(automaticFilter.joined(separator: " OR ")) ORDER BY id")
            try await textsOfAutomaticTexts(found.automaticTextIDs, into: &textFilter, on: sql)
            found.callIDs = callFilter.isEmpty ? [] : try await ids(sql, "SELECT id FROM call_logs WHERE \(callFilter.joined(separator: " OR ")) ORDER BY id")
            found.textIDs = try await ids(sql, "SELECT id FROM sms_messages WHERE \(textFilter.joined(separator: " OR ")) ORDER BY id")
        }
        if !found.enquiryIDs.isEmpty {
            let calls = Set(found.callIDs), texts = Set(found.textIDs)
            let linkedCalls = try await ids(sql, "SELECT id FROM call_logs WHERE contact_submission_id IN (\(list(found.enquiryIDs))) ORDER BY id")
                .filter { !calls.contains($0) }
            let linkedTexts = try await ids(sql, """
                SELECT id FROM sms_messages WHERE contact_submission_id IN (\(list(found.enquiryIDs))) AND direction = 'inbound' ORDER BY id
                """).filter { !texts.contains($0) }
            if person.includePhoneLinked {
                (found.phoneLinkedCallIDs, found.phoneLinkedTextIDs) = (linkedCalls, linkedTexts)
            } else {
                found.phoneLinkedLeftOut = (linkedCalls.count, linkedTexts.count)
            }
            if !linkedCalls.isEmpty || !linkedTexts.isEmpty {
                found.phoneLinkedNumbers = try await sql.raw("""
                    SELECT DISTINCT phone FROM contact_submissions WHERE id IN (\(list(found.enquiryIDs))) AND phone IS NOT NULL ORDER BY phone
                    """).all().map { try $0.decode(column: "phone", as: String.self) }.filter { $0 != person.phone }
            }
        }
        if !found.enquiryIDs.isEmpty {
            found.logIDs = try await ids(sql, """
                SELECT id FROM integration_logs WHERE related_type = \(bind: IntegrationLog.aboutEnquiry) AND related_id IN (\(list(found.enquiryIDs))) ORDER BY id
                """)
        }
        return found
    }

    /// Erases the person in one transaction: their enquiries (and the jobs waiting to sync them),
    /// calls and texts are deleted, the log rows about them kept but emptied (SuiteDash's monthly
    /// call count is read from them), LeadBridge's memory of their SuiteDash contact forgotten,
    /// and an erasure recorded without any of the erased data. Then the CSV exports that carried
    /// them are rewritten without their rows.
    func erase(_ person: PersonQuery, requestedBy: String, now: Date) async throws -> Erased {
        let namedInLogs = try await logsNaming(person)
        let namedInWebhooks = try await webhookEventsNaming(person)
        let (counted, exports, erasedIDs) = try await database.writeTransaction { tx -> (Erased, [SuiteDashExport], [Int]) in
            var found = try await find(person, on: tx)
            found.logIDs = Array(Set(found.logIDs + namedInLogs)).sorted()
            found.webhookEventIDs = namedInWebhooks
            let exports = found.exportIDs.isEmpty ? [] : try await SuiteDashExport.query(on: tx).filter(\.$id ~~ found.exportIDs).all()
            try await remove(found, keys: [person.email.map(SuiteDashContactMap.key(email:)), person.phone.map(SuiteDashContactMap.key(phone:))]
                .compactMap { $0 }, now: now, on: tx)
            let erased = Erased(enquiries: found.enquiryIDs.count, calls: found.allCallIDs.count, texts: found.allTextIDs.count,
                                logRows: found.logIDs.count, exports: found.exportIDs.count)
            try await Self.record(kind: "person", requestedBy: requestedBy, matchedBy: person.matchedBy, erased, now: now, on: tx)
            return (erased, exports, found.enquiryIDs)
        }
        // Files cannot join the transaction: rewritten once it committed.
        return try await rewriting(exports, without: erasedIDs, counted)
    }

    /// The oldest enquiries created before `cutoff`, up to `limit`, erased as one person's are
    /// (one transaction per call); for the retention sweep. The batch is not recorded: the sweep
    /// records its whole run once.
    func eraseEnquiries(createdBefore cutoff: Date, limit: Int, now: Date) async throws -> Erased {
        let (counted, exports, erasedIDs) = try await database.writeTransaction { tx -> (Erased, [SuiteDashExport], [Int]) in
            let sql = try tx.sql()
            let ids = try await ids(sql, "SELECT id FROM contact_submissions WHERE created_at < \(bind: cutoff) ORDER BY created_at, id LIMIT \(bind: limit)")
            guard !ids.isEmpty else { return (Erased(), [], []) }
            let found = try await related(to: ids, on: tx)
            let exports = found.exportIDs.isEmpty ? [] : try await SuiteDashExport.query(on: tx).filter(\.$id ~~ found.exportIDs).all()
            try await remove(found, keys: [], now: now, on: tx)
            return (Erased(enquiries: ids.count, calls: found.callIDs.count, texts: found.textIDs.count,
                           logRows: found.logIDs.count, exports: found.exportIDs.count), exports, ids)
        }
        return try await rewriting(exports, without: erasedIDs, counted)
    }

    private func rewriting(_ exports: [SuiteDashExport], without ids: [Int], _ counted: Erased) async throws -> Erased {
        var erased = counted
        for export in exports where !(try await rewrite(export, without: Set(ids))) {
            erased.exportsNotRewritten.append(export.fileName)
        }
        return erased
    }

    /// What hangs off these enquiries: their calls, texts, exports and log rows.
    private func related(to enquiryIDs: [Int], on db: any Database) async throws -> Found {
        let sql = try db.sql()
        var found = Found()
        found.enquiryIDs = enquiryIDs
        found.exportIDs = try await ids(sql, """
            SELECT DISTINCT export_id AS id FROM contact_submissions WHERE export_id IS NOT NULL AND id IN (\(list(enquiryIDs))) ORDER BY 1
            """)
        found.callIDs = try await ids(sql, "SELECT id FROM call_logs WHERE contact_submission_id IN (\(list(enquiryIDs))) ORDER BY id")
        found.automaticTextIDs = try await ids(sql, "SELECT id FROM automatic_texts WHERE contact_submission_id IN (\(list(enquiryIDs))) ORDER BY id")
        var textFilter: [SQLQueryString] = ["contact_submission_id IN (\(list(enquiryIDs)))"]
        try await textsOfAutomaticTexts(found.automaticTextIDs, into: &textFilter, on: sql)
        found.textIDs = try await ids(sql, "SELECT id FROM sms_messages WHERE \(textFilter.joined(separator: " OR ")) ORDER BY id")
        found.logIDs = try await ids(sql, """
            SELECT id FROM integration_logs WHERE related_type = \(bind: IntegrationLog.aboutEnquiry) AND related_id IN (\(list(enquiryIDs))) ORDER BY id
            """)
        return found
    }

    /// The texts an automatic text sent (staff alerts name the lead), and those of any minute's
    /// summary that listed them: a summary names several people, and goes for any one of them.
    private func textsOfAutomaticTexts(_ automaticIDs: [Int], into filter: inout [SQLQueryString], on sql: any SQLDatabase) async throws {
        guard !automaticIDs.isEmpty else { return }
        let summaries = try await ids(sql, """
            SELECT DISTINCT summary_id AS id FROM automatic_texts WHERE summary_id IS NOT NULL AND id IN (\(list(automaticIDs))) ORDER BY 1
            """)
        filter.append("automatic_text_id IN (\(list(automaticIDs + summaries)))")
    }

    /// Deletes and empties what `found` names, in the caller's transaction.
    private func remove(_ found: Found, keys extraKeys: [String], now: Date, on tx: any Database) async throws {
        let sql = try tx.sql()
        var keys = extraKeys
        if !found.enquiryIDs.isEmpty {
            for row in try await sql.raw("SELECT email, phone FROM contact_submissions WHERE id IN (\(list(found.enquiryIDs)))").all() {
                if let email = try row.decode(column: "email", as: String?.self) { keys.append(SuiteDashContactMap.key(email: email)) }
                if let phone = try row.decode(column: "phone", as: String?.self) { keys.append(SuiteDashContactMap.key(phone: phone)) }
            }
        }
        if !found.logIDs.isEmpty {
            try await sql.raw("""
                UPDATE integration_logs SET payload = NULL, response = NULL, error_message = NULL, related_id = NULL,
                updated_at = \(bind: now) WHERE id IN (\(list(found.logIDs)))
                """).run()
        }
        if !found.webhookEventIDs.isEmpty {
            try await sql.raw("UPDATE webhook_events SET payload = NULL WHERE id IN (\(list(found.webhookEventIDs)))").run()
        }
        if !found.allTextIDs.isEmpty { try await sql.raw("DELETE FROM sms_messages WHERE id IN (\(list(found.allTextIDs)))").run() }
        // The do-not-text list is kept: it holds hashes, and keeps them from being texted again.
        if !found.automaticTextIDs.isEmpty {
            try await sql.raw("DELETE FROM automatic_texts WHERE id IN (\(list(found.automaticTextIDs)))").run()
        }
        if !found.allCallIDs.isEmpty { try await sql.raw("DELETE FROM call_logs WHERE id IN (\(list(found.allCallIDs)))").run() }
        if !found.enquiryIDs.isEmpty {
            let uniqueKeys = found.enquiryIDs.map { SQLBind(SyncEnquiryToSuiteDash.uniqueKey($0)) }
            try await sql.raw("DELETE FROM jobs WHERE unique_key IN (\(SQLList(uniqueKeys)))").run()
            try await sql.raw("DELETE FROM failed_jobs WHERE unique_key IN (\(SQLList(uniqueKeys)))").run()
            try await sql.raw("DELETE FROM contact_submissions WHERE id IN (\(list(found.enquiryIDs)))").run()
        }
        // The contact memory forgets an email or phone no enquiry uses any more: one a newer
        // enquiry still uses stays, or that person's next phone-only enquiry would make a second contact.
        for key in Set(keys) {
            let (column, value): (String, String) = key.hasPrefix("email:")
                ? ("lower(email)", String(key.dropFirst("email:".count))) : ("phone", String(key.dropFirst("phone:".count)))
            try await sql.raw("""
                DELETE FROM suitedash_contacts WHERE contact_key = \(bind: key)
                AND NOT EXISTS (SELECT 1 FROM contact_submissions WHERE \(unsafeRaw: column) = \(bind: value))
                """).run()
        }
    }

    static func record(kind: String, requestedBy: String, matchedBy: String, _ erased: Erased, now: Date, on db: any Database) async throws {
        try await db.sql().raw("""
            INSERT INTO erasures (kind, requested_by, matched_by, enquiries, calls, texts, log_rows, exports, created_at)
            VALUES (\(bind: kind), \(bind: String(requestedBy.prefix(320))), \(bind: matchedBy), \(bind: erased.enquiries), \(bind: erased.calls),
                    \(bind: erased.texts), \(bind: erased.logRows), \(bind: erased.exports), \(bind: now))
            """).run()
    }

    /// Rewrites an export's CSV without the erased enquiries' rows (their ID is the first
    /// column), through a temporary file moved into place. False when the file cannot be read
    /// or written.
    func rewrite(_ export: SuiteDashExport, without ids: Set<Int>) async throws -> Bool {
        let path = exportsFolder + "/" + export.fileName
        // A file already deleted (by SUITEDASH_EXPORT_RETENTION_DAYS, or by hand) carries nobody.
        guard FileManager.default.fileExists(atPath: path) else { return true }
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        let (kept, removed) = CSVRecords.removing(ids: ids, from: data)
        guard removed > 0 else { return true }
        let temporary = path + ".erasing-" + UUID().uuidString
        guard FileManager.default.createFile(atPath: temporary, contents: kept, attributes: [.posixPermissions: 0o600]) else { return false }
        // rename(2) replaces the file in one step: a reader sees the old file or the new one.
        // (Foundation's replaceItemAt lost the file on Linux when tried here.)
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            return false
        }
        export.rows = max(0, export.rows - removed)
        export.bytes = kept.count
        export.sha256 = SHA256Hex.of(kept)
        try await export.save(on: database)
        return true
    }

    private func ids(_ sql: any SQLDatabase, _ query: SQLQueryString) async throws -> [Int] {
        try await sql.raw(query).all().map { try $0.decode(column: "id", as: Int.self) }
    }

    private func list(_ ids: [Int]) -> SQLQueryString {
        SQLQueryString(stringLiteral: ids.map(String.init).joined(separator: ", "))
    }
}
