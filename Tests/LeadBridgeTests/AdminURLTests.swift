import Foundation
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// Issue #28: one table names every admin page; routes, redirects and views all come from it.
@Suite("The admin's route table")
struct AdminURLTests {
    @Test("every route under /admin is registered from an AdminURL, and every view name builds its link")
    func everyAdminRouteComesFromTheTable() async throws {
        try await withApp { app in
            let registered = Set(app.routes.all.compactMap { route -> String? in
                let path = "/" + route.path.map { $0.description.hasPrefix(":") ? ":" : $0.description }.joined(separator: "/")
                return path == AdminURL.root || path.hasPrefix(AdminURL.root + "/") ? path : nil
            })
            // Each page a view can name, with placeholder values where it takes them.
            let named = Self.viewNames.compactMap { name, values in AdminURL(name: name, values) }
            #expect(named.count == Self.viewNames.count, "a view name builds no AdminURL")
            let patterns = Set(named.map(Self.pattern) + [Self.pattern(.passwordLink(.value("t")))])
            #expect(registered == patterns, "registered but not in the table: \(registered.subtracting(patterns)); in the table but not registered: \(patterns.subtracting(registered))")
        }
    }

    @Test("a value is one path segment: a RingOut id with a slash or a question mark cannot reach another route")
    func valuesStayInTheirSegment() {
        #expect(AdminURL.enquiry(.value(42)).path == "/admin/submissions/42")
        #expect(AdminURL.dashboard.path == "/admin")
        #expect(AdminURL.enquiryRingOut(.value(7), .value("a/b?c#d")).path == "/admin/submissions/7/ringout/a%2Fb%3Fc%23d")
        #expect(AdminURL.enquiryRingOut(.key, .key).pathComponents.map(\.description) == ["submissions", ":id", "ringout", ":ringout"])
    }

    @Test("a view naming no page, or leaving out its value, gets no link")
    func unknownNamesBuildNothing() {
        #expect(AdminURL(name: "enquiries", []) == .enquiries)
        #expect(AdminURL(name: "enquiry", ["12"]) == .enquiry(.value(12)))
        #expect(AdminURL(name: "enquiry", []) == nil)
        #expect(AdminURL(name: "enquiry", ["twelve"]) == nil)
        #expect(AdminURL(name: "enquirys", ["12"]) == nil)
    }

    /// A link with every value replaced by `:`, to compare with a route's pattern.
    static func pattern(_ url: AdminURL) -> String {
        let placeholders = ["1", "r", "t"]
        return url.path.split(separator: "/", omittingEmptySubsequences: false)
            .map { placeholders.contains(String($0)) ? ":" : String($0) }.joined(separator: "/")
    }

    static let viewNames: [(String, [String])] = [
        ("setup", []), ("login", []), ("logout", []), ("logoutEverywhere", []), ("dashboard", []), ("enquiries", []),
        ("enquiry", ["1"]), ("enquiryEdit", ["1"]), ("enquirySync", ["1"]), ("enquiryContactChoice", ["1"]),
        ("enquiryUncertainCreate", ["1"]), ("enquiryDifferences", ["1"]), ("enquiryCall", ["1"]), ("enquirySMS", ["1"]),
        ("enquiryRingOut", ["1", "r"]), ("enquiryRingOutCancel", ["1", "r"]), ("integrationLogs", []), ("integrationLog", ["1"]),
        ("speedToLead", []), ("email", []), ("emailTest", []), ("emailsCaught", []), ("privacy", []), ("privacyExport", []), ("privacyErase", []), ("jobs", []), ("doctor", []),
        ("failedJobsRetryAll", []), ("failedJobRetry", ["1"]), ("failedJobDiscard", ["1"]), ("jobDiscard", ["1"]),
        ("users", []), ("userReset", ["1"]), ("userDisable", ["1"]), ("userEnable", ["1"]), ("suiteDash", []),
        ("suiteDashTest", []), ("suiteDashSyncPending", []), ("suiteDashExports", []), ("suiteDashExport", ["1"]),
        ("suiteDashExportDownload", ["1"]), ("suiteDashExportDelete", ["1"]), ("suiteDashExportMarkSynced", ["1"]),
        ("ringCentral", []), ("ringCentralConnect", []), ("ringCentralConnectJWT", []), ("ringCentralDisconnect", []),
        ("ringCentralRefresh", []), ("ringCentralSubscription", []), ("ringCentralSubscriptionRenew", []),
        ("ringCentralSubscriptionDelete", []), ("ringCentralOfficePhone", []), ("callLogs", []), ("callLogsSync", []), ("messages", []),
        ("forms", []), ("formNew", []), ("form", ["1"]), ("formDelete", ["1"]),
        ("enquiryNotSpam", ["1"]), ("enquiryMarkSpam", ["1"]), ("enquiryDeleteSpam", ["1"]), ("spam", []), ("spamBulk", []),
        ("spamRules", []), ("spamRuleDelete", ["1"]),
    ]
}
