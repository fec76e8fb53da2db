import Foundation

/// Who an admin asks about: an email, a phone, or both (an enquiry's own). Normalised as the
/// enquiries store them, so "Ada@Example.com" and "+1 (415) 555-0177" find what was kept.
struct PersonQuery: Sendable, Equatable {
    let email: String?
    let phone: String?
    /// Also the calls and inbound texts tied to their enquiries only by the phone number the
    /// visitor typed, which proves nothing: the admin ticks it knowing the number is theirs.
    var includePhoneLinked = false

    enum Problem: Error, CustomStringConvertible {
        case nothingGiven, badEmail, badPhone
        var description: String {
            switch self {
            case .nothingGiven: "Give an email address or a phone number to look for."
            case .badEmail: "That is not an email address; check it reads like name@example.com."
            case .badPhone: "That is not a phone number LeadBridge can read; include the country code, like +1 415 555 0177."
            }
        }
    }

    init(email rawEmail: String?, phone rawPhone: String?, includePhoneLinked: Bool = false, defaultCountry: String) throws {
        self.includePhoneLinked = includePhoneLinked
        let emailText = FormText.nonEmpty(rawEmail)
        let phoneText = FormText.nonEmpty(rawPhone)
        guard emailText != nil || phoneText != nil else { throw Problem.nothingGiven }
        if let emailText {
            guard let normalised = EmailAddress.normalize(emailText) else { throw Problem.badEmail }
            email = normalised.lowercased()
        } else {
            email = nil
        }
        if let phoneText {
            guard case .success(let number) = PhoneNumberNormalizer.normalize(phoneText, defaultCountry: defaultCountry) else {
                throw Problem.badPhone
            }
            phone = number
        } else {
            phone = nil
        }
    }

    /// "email", "phone" or "email and phone": how a person was found, for the erasure record.
    var matchedBy: String { [email.map { _ in "email" }, phone.map { _ in "phone" }].compactMap { $0 }.joined(separator: " and ") }
}
