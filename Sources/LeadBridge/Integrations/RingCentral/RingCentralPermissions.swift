import Foundation

/// What LeadBridge does with RingCentral, and the app permission each needs, checked against the
/// connected token's `scope`: a permission missing from the app in RingCentral's developer
/// console shows here as soon as it connects, not as a feature that quietly never works.
enum RingCentralPermissions {
    struct Feature: Sendable, Equatable, Encodable {
        let feature: String
        let permission: String
        let granted: Bool
        /// What happens without it, and what to do: empty when granted.
        let without: String
    }

    static let needed: [(feature: String, permission: String, without: String)] = [
        ("The account, the extension and its numbers", "ReadAccounts", "LeadBridge cannot find a number to call or text from."),
        ("Call a lead (RingOut)", "RingOut", "Call on an enquiry is refused."),
        ("Text a lead, staff alerts and instant replies", "SMS", "Send SMS and every automatic text are refused."),
        ("Calls on each enquiry (the call log)", "ReadCallLog", "No calls reach the enquiries, and missed calls found in the log get no text-back."),
        ("Inbound texts and each text's delivery", "ReadMessages", "A text's status stays Queued, and texts from leads are not read."),
        ("Webhooks (inbound texts and calls as they happen)", "SubscriptionWebhook", "The webhook subscription cannot be created: inbound texts and missed calls arrive only with the call-log sync, if at all."),
        ("Missed calls as they happen (telephony events)", "CallControl", "RingCentral disables the telephony events: missed calls are learnt from the call-log sync instead, minutes later."),
    ]

    /// Each feature, ✓ or ✗ from the token's space-separated `scope`. Nil scope (not connected): none.
    static func check(scope: String?) -> [Feature] {
        guard let scope else { return [] }
        let granted = Set(scope.split(separator: " ").map { $0.lowercased() })
        return needed.map { item in
            let has = granted.contains(item.permission.lowercased())
            return Feature(feature: item.feature, permission: item.permission, granted: has,
                           without: has ? "" : item.without + " Give the app the \(item.permission) permission in RingCentral's developer console, then Reconnect.")
        }
    }
}
