import Fluent
import Foundation
import SQLKit

/// The dashboard's speed to lead: this week's median time to first contact, and the
/// enquiries (with a phone) nobody has called or texted yet, the longest waiting first.
struct SpeedToLeadPanel: Encodable {
    struct Waiting: Encodable { let id: Int; let name: String; let received: String; let waiting: String }

    /// "6 min", or nil when nobody was contacted this week.
    let median: String?
    /// How many of this week's enquiries were contacted, and how many have a phone.
    let contacted: Int
    let withPhone: Int
    /// "The last 7 days: 3 of 4 enquiries with a phone contacted."
    let weekText: String
    let waiting: [Waiting]
    /// "12 waiting", "More than 1,000 waiting".
    let waitingSummary: String
    let waitingLink: String
    /// Why no automatic text is going out although some are set up.
    let blocker: String?

    static let weekSeconds: TimeInterval = 7 * 86_400
    /// The most enquiries the week's median is taken over: the newest ones.
    static let sampleSize = 10_000
    /// The waiting list looks back as far as the dashboard's charts: an enquiry nobody called
    /// in months is history, not a lead to call first.
    static let waitingDays = DashboardController.days

    static func load(on db: any Database, services: AppServices) async throws -> SpeedToLeadPanel {
        let now = services.clock.now()
        let weekAgo = now.addingTimeInterval(-weekSeconds)
        // This week's enquiries by the created_at index, newest first and at most `sampleSize` of
        // them, only their seconds read: a busy install's week read whole slowed the dashboard
        // fifteenfold; an agency's week is far below the cap.
        let rows = try await db.sql().raw("""
            SELECT first_contact_seconds FROM contact_submissions WHERE created_at >= \(bind: weekAgo) AND phone IS NOT NULL AND status <> 'spam'
            ORDER BY created_at DESC LIMIT \(bind: Self.sampleSize + 1)
            """).all()
        let sampled = rows.count > Self.sampleSize
        let seconds = try rows.prefix(Self.sampleSize).map { try $0.decode(column: "first_contact_seconds", as: Int?.self) }
        let contacted = seconds.compactMap { $0 }.sorted()
        var median: String?
        if !contacted.isEmpty {
            let middle = contacted.count / 2
            let value = contacted.count % 2 == 1 ? contacted[middle] : (contacted[middle - 1] + contacted[middle]) / 2
            median = FirstContactText.duration(value)
        }
        let since = now.addingTimeInterval(-Double(waitingDays - 1) * 86_400)
        let waitingQuery = EnquiryListSort.waiting.apply(to: Enquiry.query(on: db).filter(\.$createdAt >= DailyCounts.date(ofDay: DailyCounts.day(of: since))))
        let oldest = try await waitingQuery.copy().limit(5).all()
        let total = try await ListTotal.counting(waitingQuery)
        let settings = try await services.speedToLead.settings(on: db).load()
        return SpeedToLeadPanel(
            median: median, contacted: contacted.count, withPhone: seconds.count,
            weekText: seconds.isEmpty ? "No enquiries with a phone in the last 7 days."
                : sampled ? "The latest \(ListTotal.grouped(Self.sampleSize)) enquiries with a phone of the last 7 days (there were more): \(ListTotal.grouped(contacted.count)) contacted."
                : "The last 7 days: \(contacted.count) of \(seconds.count) \(seconds.count == 1 ? "enquiry" : "enquiries") with a phone contacted.",
            waiting: oldest.map { enquiry in
                Waiting(id: enquiry.id ?? 0, name: enquiry.fullName, received: AdminDate.format(enquiry.createdAt),
                        waiting: FirstContactText.duration(Int(now.timeIntervalSince(enquiry.createdAt ?? now))))
            },
            waitingSummary: total.describe("enquiry waiting", "enquiries waiting"),
            waitingLink: AdminURL.enquiries.path + "?sort=waiting&since=" + EnquiryListRange.dayText(since),
            blocker: try await SpeedToLeadService.blocker(settings, on: db))
    }
}
