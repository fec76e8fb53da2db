import Leaf
import LeafKit

/// `#adminURL("enquiry", row.id)` in a view: the link from `AdminURL`, so views hold no
/// `/admin/…` paths of their own. A name that is not a page, or a missing value, fails the
/// render (every page is rendered by the tests), rather than printing a broken link.
struct AdminURLTag: LeafTag {
    struct Unknown: Error, CustomStringConvertible {
        let description: String
    }

    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let name = ctx.parameters.first?.string else {
            throw Unknown(description: "#adminURL needs a page's name first, as in #adminURL(\"enquiry\", id).")
        }
        let values = ctx.parameters.dropFirst().map { $0.string ?? "" }
        guard let url = AdminURL(name: name, values) else {
            throw Unknown(description: "#adminURL(\"\(name)\") with \(values.count) value(s) names no admin page (see AdminURL.init(name:_:)).")
        }
        return .string(url.path)
    }
}

extension AdminURL {
    /// The case a view names: its name, then its values in order.
    init?(name: String, _ values: [String]) {
        let id = values.first.flatMap { Int($0) }.map(Parameter<Int>.value)
        let second = values.count > 1 ? Parameter<String>.value(values[1]) : nil
        let url: AdminURL?
        switch (name, values.count) {
        case ("setup", 0): url = .setup
        case ("login", 0): url = .login
        case ("logout", 0): url = .logout
        case ("logoutEverywhere", 0): url = .logoutEverywhere
        case ("dashboard", 0): url = .dashboard
        case ("enquiries", 0): url = .enquiries
        case ("enquiry", 1): url = id.map(AdminURL.enquiry)
        case ("enquiryEdit", 1): url = id.map(AdminURL.enquiryEdit)
        case ("enquirySync", 1): url = id.map(AdminURL.enquirySync)
        case ("enquiryContactChoice", 1): url = id.map(AdminURL.enquiryContactChoice)
        case ("enquiryUncertainCreate", 1): url = id.map(AdminURL.enquiryUncertainCreate)
        case ("enquiryDifferences", 1): url = id.map(AdminURL.enquiryDifferences)
        case ("enquiryCall", 1): url = id.map(AdminURL.enquiryCall)
        case ("enquirySMS", 1): url = id.map(AdminURL.enquirySMS)
        case ("enquiryRingOut", 2): url = id.flatMap { id in second.map { AdminURL.enquiryRingOut(id, $0) } }
        case ("enquiryRingOutCancel", 2): url = id.flatMap { id in second.map { AdminURL.enquiryRingOutCancel(id, $0) } }
        case ("integrationLogs", 0): url = .integrationLogs
        case ("integrationLog", 1): url = id.map(AdminURL.integrationLog)
        case ("speedToLead", 0): url = .speedToLead
        case ("email", 0): url = .email
        case ("emailTest", 0): url = .emailTest
        case ("emailsCaught", 0): url = .emailsCaught
        case ("privacy", 0): url = .privacy
        case ("privacyExport", 0): url = .privacyExport
        case ("privacyErase", 0): url = .privacyErase
        case ("jobs", 0): url = .jobs
        case ("doctor", 0): url = .doctor
        case ("failedJobsRetryAll", 0): url = .failedJobsRetryAll
        case ("failedJobRetry", 1): url = id.map(AdminURL.failedJobRetry)
        case ("failedJobDiscard", 1): url = id.map(AdminURL.failedJobDiscard)
        case ("jobDiscard", 1): url = id.map(AdminURL.jobDiscard)
        case ("enquiryNotSpam", 1): url = id.map(AdminURL.enquiryNotSpam)
        case ("enquiryMarkSpam", 1): url = id.map(AdminURL.enquiryMarkSpam)
        case ("enquiryDeleteSpam", 1): url = id.map(AdminURL.enquiryDeleteSpam)
        case ("spam", 0): url = .spam
        case ("spamBulk", 0): url = .spamBulk
        case ("spamRules", 0): url = .spamRules
        case ("spamRuleDelete", 1): url = id.map(AdminURL.spamRuleDelete)
        case ("forms", 0): url = .forms
        case ("formNew", 0): url = .formNew
        case ("form", 1): url = id.map(AdminURL.form)
        case ("formDelete", 1): url = id.map(AdminURL.formDelete)
        case ("users", 0): url = .users
        case ("userReset", 1): url = id.map(AdminURL.userReset)
        case ("userDisable", 1): url = id.map(AdminURL.userDisable)
        case ("userEnable", 1): url = id.map(AdminURL.userEnable)
        case ("suiteDash", 0): url = .suiteDash
        case ("suiteDashTest", 0): url = .suiteDashTest
        case ("suiteDashSyncPending", 0): url = .suiteDashSyncPending
        case ("suiteDashExports", 0): url = .suiteDashExports
        case ("suiteDashExport", 1): url = id.map(AdminURL.suiteDashExport)
        case ("suiteDashExportDownload", 1): url = id.map(AdminURL.suiteDashExportDownload)
        case ("suiteDashExportDelete", 1): url = id.map(AdminURL.suiteDashExportDelete)
        case ("suiteDashExportMarkSynced", 1): url = id.map(AdminURL.suiteDashExportMarkSynced)
        case ("ringCentral", 0): url = .ringCentral
        case ("ringCentralConnect", 0): url = .ringCentralConnect
        case ("ringCentralConnectJWT", 0): url = .ringCentralConnectJWT
        case ("ringCentralDisconnect", 0): url = .ringCentralDisconnect
        case ("ringCentralRefresh", 0): url = .ringCentralRefresh
        case ("ringCentralSubscription", 0): url = .ringCentralSubscription
        case ("ringCentralSubscriptionRenew", 0): url = .ringCentralSubscriptionRenew
        case ("ringCentralSubscriptionDelete", 0): url = .ringCentralSubscriptionDelete
        case ("ringCentralOfficePhone", 0): url = .ringCentralOfficePhone
        case ("callLogs", 0): url = .callLogs
        case ("callLogsSync", 0): url = .callLogsSync
        case ("messages", 0): url = .messages
        default: url = nil
        }
        guard let url else { return nil }
        self = url
    }
}
