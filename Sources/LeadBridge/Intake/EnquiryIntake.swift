import Foundation

/// Saves an accepted enquiry. The row is committed before the caller answers the visitor;
/// nothing here calls a provider (syncing is a background job's work).
struct EnquiryIntake {
    struct Origin: Sendable {
        var ip: String?
        var userAgent: String?
        /// `Request.untrustedForwarder`: set when `ip` is likely a proxy's, not the visitor's.
        var forwardedBy: String? = nil
    }

    let writer: EnquiryWriter

    /// Commits the enquiry and returns its id.
    func record(_ enquiry: ValidEnquiry, origin: Origin, now: Date) async throws -> Int {
        try await writer.insert(EnquiryWriter.Row(enquiry: enquiry, origin: origin, receivedAt: now))
    }
}
