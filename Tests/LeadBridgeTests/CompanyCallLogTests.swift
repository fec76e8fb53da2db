import Fluent
import Foundation
import ProviderSandbox
import RingCentralKit
import Testing
import Vapor
@testable import LeadBridge

/// "Calls to watch": the connected user's, or the whole company's (RingCentral's
/// `readCompanyCallLog`, which needs the user permission FullCompanyCallLog).
@Suite("RingCentral: the company's call log")
struct CompanyCallLogTests {
    static let lead = "+14155550100"

    static func form(_ app: Application, _ sandbox: SandboxServer, scope: String) -> [String: String] {
        ["server_url": sandbox.ringCentralURL, "redirect_uri": app.services.config.ringCentral.redirectURI,
         "call_log_sync_minutes": "15", "call_log_scope": scope]
    }

    @Test("with the whole company, a missed call to a colleague gets the text-back and reaches the enquiry; with mine, it is not seen")
    func colleaguesMissedCall() async throws {
        try await withRingCentral({ SpeedToLeadTests.configure(&$0, missedCall: true) }) { app, sandbox in
            let enquiry = try await app.submitEnquiry(firstName: "Ada")
            sandbox.ringCentral.addColleagueCallLogRecord(from: Self.lead, startTime: Date().addingTimeInterval(-30))
            _ = try await app.services.ringCentral.callLog.sync(dateFrom: Date().addingTimeInterval(-3600))
            #expect(try await CallLog.query(on: app.db).count() == 0, "the user's own log has no colleague's calls")

            let browser = try await app.signedInBrowser()
            let saved = try await browser.post("/admin/integrations/ringcentral", form: Self.form(app, sandbox, scope: "company"))
            #expect(saved.status == .seeOther)
            #expect(try await browser.get("/admin/integrations/ringcentral").text.contains(#"value="company" checked"#))
            _ = try await app.services.ringCentral.callLog.sync(dateFrom: Date().addingTimeInterval(-3600))
            // One read when the choice was saved (may this user read it?), one by the sync.
            #expect(sandbox.ringCentral.stats.callsByEndpoint["GET /restapi/v1.0/account/~/call-log"] == 2)
            let call = try #require(try await CallLog.query(on: app.db).first())
            #expect(call.$enquiry.id == enquiry)
            try await app.runDueJobs()
            let texts = sandbox.ringCentral.messages.filter { $0.direction == "Outbound" && $0.to == [Self.lead] }
            #expect(texts.count == 1)
            #expect(texts.first?.text.hasPrefix("Sorry we missed your call, Ada.") == true)
        }
    }

    @Test("choosing the whole company when the user's role lacks FullCompanyCallLog is refused with RingCentral's reason, nothing saved")
    func refusedWithoutThePermission() async throws {
        try await withRingCentral(sandboxSettings: { $0.userPermissions.removeAll { $0 == "FullCompanyCallLog" } }) { app, sandbox in
            let browser = try await app.signedInBrowser()
            let refused = try await browser.post("/admin/integrations/ringcentral", form: Self.form(app, sandbox, scope: "company"))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("FullCompanyCallLog"))
            #expect(refused.text.contains("Users &gt; Roles") || refused.text.contains("Users > Roles"))
            #expect(try await app.services.ringCentral.settings.load().callLogScope == .user)
            // Mine still saves.
            #expect(try await browser.post("/admin/integrations/ringcentral", form: Self.form(app, sandbox, scope: "user")).status == .seeOther)
        }
    }

    @Test("choosing the whole company replaces the webhook subscription with the account's telephony events: a colleague's missed call is texted back at once, without a sync")
    func accountTelephonyEvents() async throws {
        try await withServedRingCentral({ SpeedToLeadTests.configure(&$0, missedCall: true) }) { app, sandbox, _ in
            let browser = try await app.signedInBrowser()
            #expect(try await browser.post("/admin/integrations/ringcentral/subscription", form: [:]).status == .seeOther)
            let first = try #require(sandbox.ringCentral.subscriptions.first)
            #expect(first.eventFilters.contains { $0.hasSuffix("/extension/\(RingCentralSandbox.extensionID)/telephony/sessions") })

            // A colleague's missed call reaches no one while only the user's calls are watched.
            _ = try await sandbox.ringCentral.simulateColleagueCall(from: Self.lead)
            #expect(try await AutomaticText.query(on: app.db).count() == 0)

            let saved = try await browser.post("/admin/integrations/ringcentral", form: Self.form(app, sandbox, scope: "company"))
            #expect(saved.location?.removingPercentEncoding?.contains("account's telephony events") == true, "\(saved.location ?? "")")
            let subscriptions = sandbox.ringCentral.subscriptions
            #expect(subscriptions.count == 1, "the old one is deleted")
            #expect(subscriptions.first?.id != first.id)
            #expect(subscriptions.first?.eventFilters.contains { $0.hasSuffix("/account/\(RingCentralSandbox.accountID)/telephony/sessions") } == true)

            let before = sandbox.ringCentral.stats.callsByEndpoint["GET /restapi/v1.0/account/~/call-log"] ?? 0
            _ = try await sandbox.ringCentral.simulateColleagueCall(from: "+14155550166")
            try await app.runDueJobs()
            let texts = sandbox.ringCentral.messages.filter { $0.direction == "Outbound" && $0.to == ["+14155550166"] }
            #expect(texts.count == 1)
            #expect((sandbox.ringCentral.stats.callsByEndpoint["GET /restapi/v1.0/account/~/call-log"] ?? 0) == before, "no sync was needed")
        }
    }
}
