import Fluent
import NIOConcurrencyHelpers

/// How many rows a list holds, for its heading and pager. A filtered list is counted no further
/// than `cap` rows, so a filter over a million rows reads at most that many index entries; past
/// it the heading says "more than 1,000" and the pager offers the next page while there is one.
struct ListTotal: Encodable, Sendable, Equatable {
    let count: Int
    /// False when the list holds more than `count` rows.
    let isExact: Bool

    static let cap = 1_000

    static func exact(_ count: Int) -> ListTotal { ListTotal(count: count, isExact: true) }

    static func counting<M: Model>(_ query: QueryBuilder<M>, cap: Int = ListTotal.cap) async throws -> ListTotal {
        // Rows are counted as they come, never decoded: `all(\.$id)` builds a whole model per row,
        // which made a long filtered list slow before its page was even read.
        let seen = NIOLockedValueBox(0)
        try await query.copy().field(\._$id).limit(cap + 1).run { _ in seen.withLockedValue { $0 += 1 } }.get()
        let count = seen.withLockedValue { $0 }
        return count > cap ? ListTotal(count: cap, isExact: false) : .exact(count)
    }

    /// "1 enquiry", "12,345 enquiries", "More than 1,000 enquiries".
    func describe(_ singular: String, _ plural: String) -> String {
        isExact ? "\(Self.grouped(count)) \(count == 1 ? singular : plural)" : "More than \(Self.grouped(count)) \(plural)"
    }

    /// The number of pages of `size` rows, when it is known.
    func pageCount(of size: Int) -> Int? { isExact ? max(1, (count + size - 1) / size) : nil }

    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }
}
