import Foundation

/// An enquiry as the admin pages show it: dates formatted, blanks filled.
struct SubmissionRow: Encodable {
    let id: Int
    let name: String
    let email: String
    let phone: String
    let company: String
    let serviceInterest: String
    let status: String
    let createdAt: String

    init(_ submission: ContactSubmission) {
        id = submission.id ?? 0
        name = submission.fullName
        email = submission.email ?? ""
        phone = submission.phone ?? ""
        company = submission.company ?? ""
        serviceInterest = submission.serviceInterest ?? ""
        status = submission.status.rawValue
        createdAt = AdminDate.format(submission.createdAt)
    }
}

enum AdminDate {
    /// `2026-11-24 17:05 UTC`: unambiguous for every reader of the admin.
    static func format(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(.iso8601.year().month().day().dateSeparator(.dash)) + " "
            + date.formatted(.iso8601.time(includingFractionalSeconds: false).timeSeparator(.colon)).prefix(5) + " UTC"
    }
}
