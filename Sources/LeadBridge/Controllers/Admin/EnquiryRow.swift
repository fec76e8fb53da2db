import Foundation

/// An enquiry as the admin pages show it: dates formatted, blanks filled.
struct EnquiryRow: Encodable {
    let id: Int
    let name: String
    let email: String
    let phone: String
    let company: String
    let serviceInterest: String
    let status: String
    let createdAt: String
    /// Time to first contact: "4 min", "waiting", or "—" without a phone.
    let firstContact: String
    /// Where the lead came from: its channel ("google", "newsletter", "direct").
    let source: String
    /// Why it is spam, when it is.
    let spamReason: String?
    /// Not yet synced or exported, nor spam: a person may still call it spam.
    let canMarkSpam: Bool

    init(_ enquiry: Enquiry) {
        id = enquiry.id ?? 0
        name = enquiry.fullName
        email = enquiry.email ?? ""
        phone = enquiry.phone ?? ""
        company = enquiry.company ?? ""
        serviceInterest = enquiry.serviceInterest ?? ""
        status = enquiry.status.rawValue
        createdAt = AdminDate.format(enquiry.createdAt)
        source = enquiry.channel ?? ""
        spamReason = enquiry.status == .spam ? (enquiry.spamReason ?? "Judged spam.") : nil
        canMarkSpam = enquiry.status == .pending || enquiry.status == .failed
        firstContact = enquiry.firstContactSeconds.map(FirstContactText.duration) ?? (enquiry.phone == nil ? "—" : "waiting")
    }
}
