import Fluent
import SQLKit

/// The enquiries search: any part of a name, email address, company or extra field, ignoring case, or three
/// or more digits of a phone number (typed with spaces, dashes or brackets, still found). Newest first.
///
/// From three characters up it is answered by the search index (`018_IndexEnquirySearch`):
/// SQLite's FTS5 trigram table, PostgreSQL's pg_trgm indexes. One or two characters cannot be
/// looked up by trigrams: they are matched row by row among the newest `shortSearchWindow`
/// enquiries (all of a large install would be too slow), and the list says so. On SQLite a new
/// enquiry reaches the index in a batch, within about 10 s where job workers run
/// (`EnquirySearchBacklog`); until then the search reads it row by row, so it is found from its
/// first second.
///
/// A search runs once per page view: the ids of the first `countCap + 1` matches, newest
/// first, give both the page and the count. On SQLite the FTS5 table is walked from its newest
/// row and stops there; `WHERE id IN (SELECT rowid … MATCH …) ORDER BY created_at` collected
/// every match first (figures: docs/benchmarks.md, "Measurements behind the code").
enum EnquirySearch {
    static let shortSearchWindow = 10_000
    /// A search is counted to 200: enough to tell "a few" from "refine it", and a broad match
    /// stops early rather than finding every match.
    static let countCap = 200

    /// Whether `text` is too short for the index, so only the newest enquiries are searched.
    static func isShort(_ text: String) -> Bool { text.count < 3 }

    /// A page of enquiries matching `text` (and `status`), and how many match, counted up to the cap.
    static func page(_ text: String, status: EnquiryStatus?, range: EnquiryListRange = .init(), offset: Int, limit: Int,
                     on db: any Database) async throws -> (rows: [Enquiry], total: ListTotal) {
        let counted = try await matchingIDs(text, status: status, range: range, offset: 0, limit: countCap + 1, on: db)
        let total = counted.count > countCap ? ListTotal(count: countCap, isExact: false) : .exact(counted.count)
        let ids = offset + limit <= counted.count || total.isExact
            ? Array(counted.dropFirst(offset).prefix(limit))
            : try await matchingIDs(text, status: status, range: range, offset: offset, limit: limit, on: db)   // past the counted ones
        guard !ids.isEmpty else { return ([], total) }
        let rows = try await Enquiry.query(on: db).filter(\.$id ~~ ids).sort(\.$id, .descending).all()
        return (rows, total)
    }

    /// Ids of matching enquiries, highest (newest) first. Ids only grow, so the newest rows are
    /// the highest ids, and the short search's window is a range of the primary key.
    static func matchingIDs(_ text: String, status: EnquiryStatus?, range: EnquiryListRange = .init(), offset: Int, limit: Int,
                            on db: any Database) async throws -> [Int] {
        let sql = try db.sql()
        let dialect = sql.sqlDialect
        let digits = phoneDigits(in: text)
        let query: SQLQueryString
        // The list's other filters, on contact_submissions' own columns.
        var filters: [SQLQueryString] = []
        if let status, range.synced == nil || status != .synced { filters.append("status = \(bind: status.rawValue)") }
        if let since = range.since { filters.append("created_at >= \(bind: since)") }
        if let until = range.until { filters.append("created_at < \(bind: until.addingTimeInterval(86_400))") }
        if let channel = range.channel { filters.append("channel = \(bind: channel)") }
        if let speed = range.synced { filters.append("\(unsafeRaw: speed.condition(dialect).sql)") }
        var condition: SQLQueryString = "(\(unsafeRaw: document(dialect))) \(dialect.caseInsensitiveLike) \(bind: "%" + escapeLike(text) + "%") ESCAPE '\\'"
        if let digits { condition = "(\(condition) OR phone LIKE \(bind: "%" + digits + "%"))" }
        for filter in filters { condition = "\(condition) AND \(filter)" }
        if dialect == .sqlite, !isShort(text) {
            let byStatus: SQLQueryString = filters.isEmpty ? "" : "JOIN contact_submissions c ON c.id = s.rowid AND \(filters.joined(separator: " AND "))"
            // The index, and the enquiries still waiting for it (039) read row by row: a few
            // hundred on a running server (more only after a bulk import, until the scheduler's
            // passes catch up). Both sides come newest first and SQLite merges them, so the walk
            // still stops at the page's last id.
            query = """
                SELECT s.rowid AS id FROM contact_submissions_search s \(byStatus)
                WHERE s.contact_submissions_search MATCH \(bind: ftsQuery(text, phoneDigits: digits))
                UNION ALL
                SELECT id FROM contact_submissions WHERE id IN (SELECT id FROM \(unsafeRaw: EnquirySearchBacklog.table)) AND \(condition)
                ORDER BY 1 DESC LIMIT \(bind: limit) OFFSET \(bind: offset)
                """
        } else {
            if isShort(text) {
                let newest = try await Enquiry.query(on: db).max(\.$id) ?? 0
                condition = "\(condition) AND id > \(bind: newest - shortSearchWindow)"
            }
            query = "SELECT id FROM contact_submissions WHERE \(condition) ORDER BY id DESC LIMIT \(bind: limit) OFFSET \(bind: offset)"
        }
        return try await sql.raw(query).all().map { try $0.decode(column: "id", as: Int.self) }
    }

    /// The text the search looks in: the name (so "Jane Doe" finds Jane Doe), then the email
    /// and the company on lines of their own. The PostgreSQL index is built on this very
    /// expression, so a query must use it unchanged.
    /// Since 030 the extra fields a form sent are in it too (as their stored JSON: labels and values).
    static func document(_ dialect: SQLDialect) -> String {
        let newline = dialect == .postgres ? "chr(10)" : "char(10)"
        return documentBefore030(dialect) + " || \(newline) || coalesce(extra_fields, '')"
    }

    /// The document migration 018 indexed, kept as it was so that migration reads the same forever.
    static func documentBefore030(_ dialect: SQLDialect) -> String {
        let newline = dialect == .postgres ? "chr(10)" : "char(10)"
        return "coalesce(first_name, '') || ' ' || coalesce(last_name, '') || \(newline) || "
            + "coalesce(email, '') || \(newline) || coalesce(company, '')"
    }

    /// The digits typed, when the text looks like (part of) a phone number, written however people
    /// write them ("+1 (415) 555-0100"), and there are three or more to look for. Digits inside
    /// other text ("person155555") are not a phone: looking for them too matched every phone
    /// that held the digits, and PostgreSQL rechecked each.
    static func phoneDigits(in text: String) -> String? {
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || " +-().".contains($0)) }) else { return nil }
        let digits = String(text.filter { $0.isASCII && $0.isNumber })
        return digits.count >= 3 ? digits : nil
    }

    /// An FTS5 query for the substring `text` in the person's details, or `digits` in the phone:
    /// each a quoted phrase, so nothing typed is read as FTS5 syntax.
    static func ftsQuery(_ text: String, phoneDigits: String?) -> String {
        func phrase(_ value: String) -> String { "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var query = "person : " + phrase(text)
        if let phoneDigits { query += " OR phone : " + phrase(phoneDigits) }
        return query
    }

    /// `%`, `_` and `\` typed by a person are literal characters, not patterns.
    static func escapeLike(_ text: String) -> String {
        var out = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
