import Fluent

/// An admin's correction of an enquiry (say, the email SuiteDash refused), already checked by
/// the contact form's rules. A failed or held enquiry goes back to pending and, when syncing
/// is set up, is sent to SuiteDash again, in the same transaction as the correction.
struct EnquiryCorrection {
    let sync: EnquirySync
    let database: any Database

    /// True when the enquiry was queued for SuiteDash again.
    func save(_ enquiry: Enquiry, as corrected: ValidEnquiry) async throws -> Bool {
        enquiry.firstName = corrected.firstName
        enquiry.lastName = corrected.lastName
        // A new email or phone may make a choice between two SuiteDash contacts moot, or wrong.
        let contactChanged = enquiry.email != corrected.email || enquiry.phone != corrected.phone
        enquiry.email = corrected.email
        enquiry.phone = corrected.phone
        enquiry.company = corrected.company
        enquiry.serviceInterest = corrected.serviceInterest
        enquiry.message = corrected.message
        let wasFailed = enquiry.status == .failed
        // Held (pending, with SuiteDash's reason): a phone-only lead refused for lacking an
        // email, or a choice of contact. The edit is what it waited for.
        let wasHeld = enquiry.status == .pending && enquiry.syncError != nil
        if wasFailed || wasHeld {
            enquiry.status = .pending
            enquiry.syncError = nil
        }
        let id = try enquiry.requireID()
        return try await database.writeTransaction { tx -> Bool in
            try await enquiry.save(on: tx)
            if contactChanged { try await SuiteDashContactConflict.delete(enquiryID: id, on: tx) }
            guard wasFailed || wasHeld, try await sync.canSync(on: tx) else { return false }
            // The held job is replaced, not kept waiting beside a new one.
            try await sync.sendAgain(id, because: .edited, on: tx)
            return true
        }
    }
}
