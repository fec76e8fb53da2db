import Foundation
import SuiteDashKit

/// SuiteDash as it is configured right now: the admin's saved choices where there are
/// some, the environment (`SUITEDASH_*`) otherwise.
struct SuiteDashSettings: Sendable {
    var mode: SuiteDashEnvironment.Mode
    var isEnabled: Bool
    var apiURL: String
    var credentials: SuiteDashClient.Credentials?
    var tags: [String]
    /// Circles every new lead joins, by name.
    var circles: [String]
    /// The last name sent for enquiries without one (SuiteDash requires a last name).
    var lastNamePlaceholder: String
    /// Enquiry fields sent to the account's custom fields.
    var fieldMap: SuiteDashFieldMap
    /// The account's custom fields as the last passing Test Connection read them.
    var customFieldCatalog: [SuiteDashContactMeta.CustomField]
    var monthlyCallLimit: Int?
    /// Set when SuiteDash refused the keys; cleared by a passing connection test.
    var failingReason: String?
    var lastTestedAt: Date?
    var lastTestSuccess: Bool?
    var lastTestMessage: String?
    /// True once an admin has saved the form; from then on the environment no longer decides.
    var savedByAdmin: Bool

    /// New enquiries get a sync job only in API mode, switched on, with keys.
    var syncsAutomatically: Bool { mode == .api && isEnabled && credentials != nil }

    /// The tags for one enquiry: the configured ones plus its service interest.
    func tags(serviceInterest: String?) -> [String] {
        var result = tags
        if let serviceInterest, !serviceInterest.isEmpty, !result.contains(serviceInterest) { result.append(serviceInterest) }
        return result
    }
}
