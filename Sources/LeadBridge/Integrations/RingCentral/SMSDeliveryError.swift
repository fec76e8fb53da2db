import Foundation

/// Why RingCentral says a text failed (`deliveryErrorCode`), in a sentence an admin can act on.
/// The prefix names who refused it (RingCentral's SMS errors guide): `SMS-RC-` RingCentral,
/// `SMS-UP-` the carrier RingCentral sends through, `SMS-CAR-` the recipient's carrier.
enum SMSDeliveryError {
    /// The recipient opted out of texts from this number (texted STOP).
    static let optedOut = "SMS-RC-413"

    static func explain(_ code: String) -> String {
        let upper = code.uppercased()
        if upper == optedOut {
            return "Not delivered (\(code)): this number opted out of texts from yours (it texted STOP). It is now on the do-not-text list."
        }
        if ["SMS-UP-410", "SMS-UP-411", "SMS-UP-412", "SMS-UP-413"].contains(upper) {
            return "Not delivered (\(code)): the number is invalid or cannot receive texts (often a landline). Call instead, or ask the lead for a mobile number."
        }
        if upper.hasPrefix("SMS-CAR-") {
            return "Not delivered (\(code)): the recipient's carrier refused it, often as suspected spam. Check your number's 10DLC registration and the text's wording."
        }
        if upper.hasPrefix("SMS-UP-") {
            return "Not delivered (\(code)): the carrier RingCentral sends through refused it."
        }
        if upper.hasPrefix("SMS-RC-") {
            return "Not sent (\(code)): RingCentral refused it; its SMS errors guide explains the code."
        }
        return "Not delivered (\(code))."
    }
}
