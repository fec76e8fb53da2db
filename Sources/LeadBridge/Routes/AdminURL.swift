import Foundation
import Vapor

/// Every admin page and action, named once (the Swift Package Index server's `SiteURL` is the
/// model): the route table registers each from its `pathComponents`, and every link and
/// redirect, in controllers and in views (`#adminURL("enquiry", id)`), is built from the same
/// case. The URLs keep the guide's words (`submissions`) while the pages say "enquiries".
enum AdminURL: Sendable, Equatable {
    /// `.key` when registering a route, `.value(x)` when building a link to it.
    enum Parameter<Value: Sendable & Equatable & CustomStringConvertible>: Sendable, Equatable {
        case key
        case value(Value)

        func component(_ name: String) -> PathComponent {
            switch self {
            case .key: .parameter(name)
            case .value(let value):
                // A value is one segment: a slash or a question mark in it must not make two.
                .constant(value.description.addingPercentEncoding(withAllowedCharacters: AdminURL.segmentAllowed) ?? "")
            }
        }
    }

    // Sign-in: the only pages open without a session.
    case setup
    case login
    case logout
    case logoutEverywhere
    /// A one-time link to set a password (an invitation or a reset).
    case passwordLink(Parameter<String>)

    // Enquiries
    case dashboard
    case enquiries
    case enquiry(Parameter<Int>)
    case enquiryEdit(Parameter<Int>)
    case enquirySync(Parameter<Int>)
    case enquiryContactChoice(Parameter<Int>)
    case enquiryUncertainCreate(Parameter<Int>)
    case enquiryDifferences(Parameter<Int>)
    case enquiryCall(Parameter<Int>)
    case enquiryRingOut(Parameter<Int>, Parameter<String>)
    case enquiryRingOutCancel(Parameter<Int>, Parameter<String>)
    case enquirySMS(Parameter<Int>)
    case enquiryNotSpam(Parameter<Int>)
    case enquiryMarkSpam(Parameter<Int>)
    case enquiryDeleteSpam(Parameter<Int>)
    /// Admin > Spam: the rules; and the spam list's Not spam / Delete for a selection.
    case spam
    case spamBulk
    case spamRules
    case spamRuleDelete(Parameter<Int>)

    // Running the place
    case integrationLogs
    case integrationLog(Parameter<Int>)
    case speedToLead
    case email
    case emailTest
    /// `leadbridge demo`: the emails it caught instead of sending.
    case emailsCaught
    case privacy
    case privacyExport
    case privacyErase
    case jobs
    case failedJobsRetryAll
    case failedJobRetry(Parameter<Int>)
    case failedJobDiscard(Parameter<Int>)
    case jobDiscard(Parameter<Int>)
    /// "Check everything": `leadbridge doctor` in the browser.
    case doctor

    // Forms
    case forms
    case formNew
    case form(Parameter<Int>)
    case formDelete(Parameter<Int>)

    // Users
    case users
    case userReset(Parameter<Int>)
    case userDisable(Parameter<Int>)
    case userEnable(Parameter<Int>)

    // SuiteDash
    case suiteDash
    case suiteDashTest
    case suiteDashSyncPending
    case suiteDashExports
    case suiteDashExport(Parameter<Int>)
    case suiteDashExportDownload(Parameter<Int>)
    case suiteDashExportDelete(Parameter<Int>)
    case suiteDashExportMarkSynced(Parameter<Int>)

    // RingCentral
    case ringCentral
    case ringCentralConnect
    case ringCentralConnectJWT
    case ringCentralDisconnect
    case ringCentralRefresh
    case ringCentralSubscription
    case ringCentralSubscriptionRenew
    case ringCentralSubscriptionDelete
    case ringCentralOfficePhone
    case callLogs
    case callLogsSync
    case messages

    static let segmentAllowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#;"))

    /// The admin area's root, for checks like "is this path inside the admin?".
    static let root = "/admin"

    /// The route's path below `/admin`.
    var pathComponents: [PathComponent] {
        switch self {
        case .setup: ["setup"]
        case .login: ["login"]
        case .logout: ["logout"]
        case .logoutEverywhere: ["logout-everywhere"]
        case .passwordLink(let token): ["password", token.component("token")]

        case .dashboard: []
        case .enquiries: ["submissions"]
        case .enquiry(let id): ["submissions", id.component("id")]
        case .enquiryEdit(let id): ["submissions", id.component("id"), "edit"]
        case .enquirySync(let id): ["submissions", id.component("id"), "sync"]
        case .enquiryContactChoice(let id): ["submissions", id.component("id"), "suitedash-contact"]
        case .enquiryUncertainCreate(let id): ["submissions", id.component("id"), "suitedash-uncertain"]
        case .enquiryDifferences(let id): ["submissions", id.component("id"), "suitedash-differences"]
        case .enquiryCall(let id): ["submissions", id.component("id"), "call"]
        case .enquiryRingOut(let id, let ringOut): ["submissions", id.component("id"), "ringout", ringOut.component("ringout")]
        case .enquiryRingOutCancel(let id, let ringOut):
            ["submissions", id.component("id"), "ringout", ringOut.component("ringout"), "cancel"]
        case .enquirySMS(let id): ["submissions", id.component("id"), "sms"]
        case .enquiryNotSpam(let id): ["submissions", id.component("id"), "not-spam"]
        case .enquiryMarkSpam(let id): ["submissions", id.component("id"), "mark-spam"]
        case .enquiryDeleteSpam(let id): ["submissions", id.component("id"), "delete-spam"]
        case .spam: ["spam"]
        case .spamBulk: ["spam", "selection"]
        case .spamRules: ["spam", "rules"]
        case .spamRuleDelete(let id): ["spam", "rules", id.component("id"), "delete"]

        case .integrationLogs: ["integration-logs"]
        case .integrationLog(let id): ["integration-logs", id.component("id")]
        case .speedToLead: ["speed-to-lead"]
        case .email: ["email"]
        case .emailTest: ["email", "test"]
        case .emailsCaught: ["email", "caught"]
        case .privacy: ["privacy"]
        case .privacyExport: ["privacy", "export"]
        case .privacyErase: ["privacy", "erase"]
        case .jobs: ["jobs"]
        case .failedJobsRetryAll: ["jobs", "failed", "retry-all"]
        case .failedJobRetry(let id): ["jobs", "failed", id.component("id"), "retry"]
        case .failedJobDiscard(let id): ["jobs", "failed", id.component("id"), "discard"]
        case .jobDiscard(let id): ["jobs", id.component("id"), "discard"]
        case .doctor: ["doctor"]

        case .forms: ["forms"]
        case .formNew: ["forms", "new"]
        case .form(let id): ["forms", id.component("id")]
        case .formDelete(let id): ["forms", id.component("id"), "delete"]

        case .users: ["users"]
        case .userReset(let id): ["users", id.component("id"), "reset"]
        case .userDisable(let id): ["users", id.component("id"), "disable"]
        case .userEnable(let id): ["users", id.component("id"), "enable"]

        case .suiteDash: ["integrations", "suitedash"]
        case .suiteDashTest: ["integrations", "suitedash", "test"]
        case .suiteDashSyncPending: ["integrations", "suitedash", "sync-pending"]
        case .suiteDashExports: ["integrations", "suitedash", "exports"]
        case .suiteDashExport(let id): ["integrations", "suitedash", "exports", id.component("id")]
        case .suiteDashExportDownload(let id): ["integrations", "suitedash", "exports", id.component("id"), "download"]
        case .suiteDashExportDelete(let id): ["integrations", "suitedash", "exports", id.component("id"), "delete"]
        case .suiteDashExportMarkSynced(let id): ["integrations", "suitedash", "exports", id.component("id"), "mark-synced"]

        case .ringCentral: ["integrations", "ringcentral"]
        case .ringCentralConnect: ["integrations", "ringcentral", "connect"]
        case .ringCentralConnectJWT: ["integrations", "ringcentral", "connect-jwt"]
        case .ringCentralDisconnect: ["integrations", "ringcentral", "disconnect"]
        case .ringCentralRefresh: ["integrations", "ringcentral", "refresh"]
        case .ringCentralSubscription: ["integrations", "ringcentral", "subscription"]
        case .ringCentralSubscriptionRenew: ["integrations", "ringcentral", "subscription", "renew"]
        case .ringCentralSubscriptionDelete: ["integrations", "ringcentral", "subscription", "delete"]
        case .ringCentralOfficePhone: ["integrations", "ringcentral", "my-phone"]
        case .callLogs: ["call-logs"]
        case .callLogsSync: ["call-logs", "sync"]
        case .messages: ["messages"]
        }
    }

    /// The link: `/admin/submissions/42`.
    var path: String {
        ([Self.root] + pathComponents.map(\.description)).joined(separator: "/")
    }
}
