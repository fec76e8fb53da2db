import Fluent
import Foundation

/// Saves an accepted enquiry. The row is committed before the caller answers the visitor;
/// nothing here calls a provider (syncing is a background job's work).
struct EnquiryIntake {
    struct Origin: Sendable {
        var ip: String?
        var userAgent: String?
    }

    let database: any Database

    func record(_ enquiry: ValidEnquiry, origin: Origin, now: Date = Date()) async throws -> ContactSubmission {
        let submission = ContactSubmission()
        submission.firstName = enquiry.firstName
        submission.lastName = enquiry.lastName
        submission.email = enquiry.email
        submission.phone = enquiry.phone
        submission.company = enquiry.company
        submission.serviceInterest = enquiry.serviceInterest
        submission.message = enquiry.message
        submission.source = enquiry.source
        submission.consent = enquiry.consent
        submission.consentAt = enquiry.consent ? now : nil
        submission.ip = origin.ip.map { String($0.prefix(45)) }
        submission.userAgent = origin.userAgent.map { String(TextSanitizer.singleLine($0).prefix(512)) }
        submission.status = .pending
        try await submission.create(on: database)
        return submission
    }
}
