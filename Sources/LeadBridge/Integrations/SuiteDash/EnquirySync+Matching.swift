import Fluent
import Foundation
import SuiteDashKit

extension EnquirySync {
    /// Which SuiteDash contact an enquiry without a stored uid belongs to (nil: a new one, or
    /// SuiteDash's lookup by email decides). The email decides whenever it is known; the phone
    /// only for a phone-only contact, which then gains the email, unless another contact
    /// already holds that email: then nothing is merged and the admin chooses.
    func resolve(_ enquiry: Enquiry, id: Int, map: SuiteDashContactMap, client: SuiteDashClient,
                         now: Date, db: any Database) async throws -> String? {
        var byEmail: String?, byPhone: String?
        if let address = enquiry.email { byEmail = try await map.uid(email: address) }
        if let number = enquiry.phone { byPhone = try await map.uid(phone: number) }
        guard let address = enquiry.email else { return byPhone }
        // A phone whose contact goes by an email is not this person's alone (an office's main
        // line, say): only a phone-only contact is one person's.
        if let phoneUID = byPhone, try await map.email(of: phoneUID) != nil { byPhone = nil }
        guard let phoneUID = byPhone else { return byEmail }
        // Whom SuiteDash holds under the email: remembered, or asked (a remembered one checked, it may be gone).
        var emailUID = byEmail
        if let remembered = emailUID, try await client.contact(remembered) == nil { emailUID = nil }
        if emailUID == nil { emailUID = try await client.contact(address)?.uid }
        if emailUID == phoneUID { return phoneUID }
        // The phone's contact merged away in SuiteDash (into the email's, say): no conflict.
        guard let phoneContact = try await client.contact(phoneUID) else { return emailUID }
        let reason: String
        if let emailUID {
            try await SuiteDashContactConflict(enquiryID: id, phoneContactUID: phoneUID, emailContactUID: emailUID).save(on: db, now: now)
            reason = "The phone number belongs to SuiteDash contact \(phoneUID) and the email to contact \(emailUID). LeadBridge merges no contacts by itself: choose on this page which one the enquiry joins."
        } else {
            // Someone gave that contact an email in SuiteDash since: the phone is not this person's alone.
            guard (phoneContact.email ?? "").trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            // Nobody holds the email, and the phone's contact has none. An email typed into a form
            // proves nothing: added by itself, a portal invitation or a reply would go to whoever
            // typed it. The same contact on both sides is the question "may it gain the email?".
            try await SuiteDashContactConflict(enquiryID: id, phoneContactUID: phoneUID, emailContactUID: phoneUID).save(on: db, now: now)
            reason = "The phone number belongs to SuiteDash contact \(phoneUID), which has no email. An email typed into a form proves nothing, so LeadBridge adds none by itself: choose on this page whether the contact gains \(address)."
        }
        enquiry.syncError = reason
        try await enquiry.save(on: db)
        throw JobFailure.waitFor(Job.conflictWaitKey, reason)
    }
}
