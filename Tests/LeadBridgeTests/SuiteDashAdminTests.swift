import AsyncHTTPClient
import Fluent
import Foundation
import ProviderSandbox
import SuiteDashKit
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

@Suite("Admin > Integrations > SuiteDash")
struct SuiteDashAdminTests {
    static func form(_ sandbox: SandboxServer, secret: String? = nil, publicID: String? = nil) -> [String: String] {
        var form = ["mode": "api", "enabled": "on", "api_url": sandbox.suiteDashURL, "tags": "website-lead, consulting",
                    "monthly_call_limit": "400"]
        form["public_id"] = publicID ?? sandbox.suiteDash.publicID
        form["secret_key"] = secret ?? sandbox.suiteDash.secretKey
        return form
    }

    @Test("what has not happened reads as not happened: no 'Failed' before a test, no 'of (0%)' without a limit, no empty CRM id")
    func emptyValuesReadAsAbsent() async throws {
        try await withSuiteDash({ $0.suiteDash.enabled = false }) { app, _ in
            try await app.createAdmin()
            let id = try await app.submitEnquiry()
            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin/integrations/suitedash").text
            #expect(page.contains("connection not tested yet"))
            #expect(!page.contains("Failed"))
            #expect(!page.contains("Last test:"))
            #expect(!page.contains(" of ("))
            let enquiry = try await browser.get("/admin/submissions/\(id)").text
            #expect(enquiry.contains("not synced yet"))
            #expect(!enquiry.contains("<dt>Sync problem</dt>"))
            #expect(!enquiry.contains("<dt>Synced</dt>"))
        }
    }

    @Test func savedKeysAreSealedMaskedAndNeverSentBack() async throws {
        try await withSuiteDash({ $0.suiteDash.publicID = nil; $0.suiteDash.secretKey = nil }) { app, sandbox in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let saved = try await browser.post("/admin/integrations/suitedash", form: Self.form(sandbox))
            #expect(saved.status == .seeOther)

            let page = try await browser.get("/admin/integrations/suitedash")
            #expect(page.status == .ok)
            #expect(!page.text.contains(sandbox.suiteDash.secretKey))
            #expect(!page.text.contains(sandbox.suiteDash.publicID))
            #expect(page.text.contains("stored (leave empty to keep)"))
            #expect(page.text.contains("website-lead, consulting"))

            // An empty secret keeps the stored one.
            var keep = Self.form(sandbox)
            keep["secret_key"] = ""
            keep["public_id"] = ""
            try await browser.post("/admin/integrations/suitedash", form: keep)
            let configuration = try await app.services.suiteDash.settings.load()
            #expect(configuration.credentials?.secretKey == sandbox.suiteDash.secretKey)
            #expect(configuration.tags == ["website-lead", "consulting"])
            #expect(configuration.monthlyCallLimit == 400)
        }
    }

    @Test func badValuesAreRefusedWithSentences() async throws {
        try await withSuiteDash { app, sandbox in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            var form = Self.form(sandbox)
            form["api_url"] = "not a url"
            form["monthly_call_limit"] = "lots"
            let refused = try await browser.post("/admin/integrations/suitedash", form: form)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("Enter the API address"))
            #expect(refused.text.contains("whole number"))
            #expect(try await IntegrationSetting.query(on: app.db).count() == 0)
        }
    }

    @Test("custom fields come from Test Connection; a mapping to a field the account lacks, or two to one field, is refused in words")
    func customFieldsAreLoadedAndMapped() async throws {
        try await withSuiteDash { app, sandbox in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            #expect(try await browser.get("/admin/integrations/suitedash").text.contains("Run Test Connection to load"))
            let tested = try await browser.post("/admin/integrations/suitedash/test", form: [:])
            #expect(tested.location?.contains("5%20custom%20fields%20found") == true)
            let page = try await browser.get("/admin/integrations/suitedash").text
            for field in sandbox.suiteDash.customFields { #expect(page.contains(">\(field.label)</option>")) }

            let source = sandbox.suiteDash.customFields[1].key
            var form = Self.form(sandbox)
            form["circles"] = "Website Leads, Newsletter"
            form["last_name_placeholder"] = "(not given)"
            form["map_source"] = source
            form["map_message"] = "no-such-field"
            var refused = try await browser.post("/admin/integrations/suitedash", form: form)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("That custom field is not in your SuiteDash account"))
            form["map_message"] = source
            refused = try await browser.post("/admin/integrations/suitedash", form: form)
            #expect(refused.text.contains("Source already goes to that custom field"))
            form["last_name_placeholder"] = " "
            form["map_message"] = ""
            refused = try await browser.post("/admin/integrations/suitedash", form: form)
            #expect(refused.text.contains("SuiteDash requires a last name"))
            #expect(try await app.services.suiteDash.settings.load().fieldMap.isEmpty, "nothing refused was saved")

            form["last_name_placeholder"] = "(not given)"
            #expect(try await browser.post("/admin/integrations/suitedash", form: form).status == .seeOther)
            let saved = try await app.services.suiteDash.settings.load()
            #expect(saved.fieldMap == [.source: source])
            #expect(saved.circles == ["Website Leads", "Newsletter"])
            let after = try await browser.get("/admin/integrations/suitedash").text
            #expect(after.contains("value=\"\(source)\" selected"))
            #expect(after.contains("Website Leads, Newsletter"))
        }
    }

    @Test("SuiteDash's sample keys from its API reference fail Test Connection with a sentence, though SuiteDash answers the read with them")
    func theDocumentedDummyKeysAreRefused() async throws {
        try await withSuiteDash({
            $0.suiteDash.publicID = SuiteDashSandbox.dummyPublicID
            $0.suiteDash.secretKey = SuiteDashSandbox.dummySecretKey
        }) { app, sandbox in
            // The read alone passes with them, as SuiteDash's reference says ("dummy request allowed"): that was the bug.
            let client = SuiteDashClient(baseURL: sandbox.suiteDashURL,
                                         credentials: .init(publicID: SuiteDashSandbox.dummyPublicID, secretKey: SuiteDashSandbox.dummySecretKey),
                                         httpClient: .shared)
            _ = try await client.testConnection()
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let tested = try await browser.post("/admin/integrations/suitedash/test", form: [:])
            #expect(tested.location?.contains("Connected") == false)
            let page = try await browser.get("/admin/integrations/suitedash").text
            #expect(page.contains("sample keys from SuiteDash&#39;s API reference") || page.contains("sample keys from SuiteDash's API reference"))
            #expect(sandbox.suiteDash.callsByEndpoint["GET /contact/meta"] == 1, "only the direct read above; the test itself sends nothing")
        }
    }

    @Test func aFailingIntegrationShowsABannerAndTestConnectionResumesItsJobs() async throws {
        try await withSuiteDash({ $0.suiteDash.secretKey = "revoked" }) { app, sandbox in
            try await app.createAdmin()
            let id = try await app.submitEnquiry()
            try await app.runDueJobs()
            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin/integrations/suitedash")
            #expect(page.text.contains("SuiteDash sync is on hold"))

            try await browser.post("/admin/integrations/suitedash", form: Self.form(sandbox))
            let tested = try await browser.post("/admin/integrations/suitedash/test", form: [:])
            #expect(tested.location?.contains("Connected") == true)
            try await app.runDueJobs()
            #expect(try await Enquiry.find(id, on: app.db)?.status == .synced)
            let after = try await browser.get("/admin/integrations/suitedash")
            #expect(!after.text.contains("on hold"))
            #expect(after.text.contains("API calls this month"))
        }
    }

    @Test func theEnquiryPageShowsItsSyncAndCanSyncAgain() async throws {
        try await withSuiteDash { app, sandbox in
            try await app.createAdmin()
            let id = try await app.submitEnquiry()
            sandbox.suiteDash.switches.validationMessage = "The phone format is invalid."
            try await app.runDueJobs()
            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin/submissions/\(id)")
            #expect(page.text.contains("The phone format is invalid."))
            #expect(page.text.contains("POST /contact"))

            sandbox.suiteDash.switches = SandboxSwitches()
            #expect(try await browser.post("/admin/submissions/\(id)/sync", form: [:]).status == .seeOther)
            #expect(try await Enquiry.find(id, on: app.db)?.status == .pending)
            try await app.runDueJobs()
            #expect(try await Enquiry.find(id, on: app.db)?.status == .synced)
            #expect(sandbox.suiteDash.contacts.count == 1)
        }
    }

    @Test func integrationLogsFilterAndShowRedactedDetail() async throws {
        try await withSuiteDash { app, _ in
            try await app.createAdmin()
            let id = try await app.submitEnquiry()
            try await app.runDueJobs()
            let browser = try await app.signedInBrowser()
            let all = try await browser.get("/admin/integration-logs?provider=suitedash&enquiry=\(id)")
            #expect(all.text.contains("GET /contact/{id}"))
            #expect(all.text.contains("POST /contact"))
            // A healthy first sync has no failure: the lookup that finds nobody did its job.
            let failedOnly = try await browser.get("/admin/integration-logs?status=failed")
            #expect(!failedOnly.text.contains("<td>GET /contact/{id}</td>"))
            #expect(!failedOnly.text.contains("<td>POST /contact</td>"))
            #expect(failedOnly.text.contains("No provider calls match"))
            let succeeded = try await browser.get("/admin/integration-logs?status=success")
            #expect(succeeded.text.contains("<td>GET /contact/{id}</td>"))
            #expect(succeeded.text.contains("<td>POST /contact</td>"))

            let post = try #require(try await IntegrationLog.query(on: app.db).filter(\.$action == "POST /contact").first())
            let detail = try await browser.get("/admin/integration-logs/\(post.id!)")
            #expect(detail.text.contains("ada@example.com"))
            #expect(detail.text.contains("send_welcome_email"))
        }
    }

    @Test func syncingPendingEnquiriesIsOfferedOnceApiModeIsOn() async throws {
        try await withSuiteDash({ $0.suiteDash.enabled = false }) { app, sandbox in
            try await app.createAdmin()
            try await app.submitEnquiry()
            try await app.submitEnquiry(firstName: "Bob", email: "bob@example.com")
            #expect(try await QueuedJob.query(on: app.db).count() == 0)
            let browser = try await app.signedInBrowser()
            try await browser.post("/admin/integrations/suitedash", form: Self.form(sandbox))
            #expect(try await browser.get("/admin/integrations/suitedash").text.contains("Sync them to SuiteDash"))
            try await browser.post("/admin/integrations/suitedash/sync-pending", form: [:])
            try await app.runDueJobs()
            #expect(sandbox.suiteDash.contacts.count == 2)
        }
    }

    @Test func aRefusedEnquiryCanBeCorrectedAndGoesBackToSuiteDash() async throws {
        try await withSuiteDash { app, sandbox in
            try await app.createAdmin()
            let id = try await app.submitEnquiry(email: "ada@example.com")
            sandbox.suiteDash.switches.validationMessage = "The email must be a valid email address."
            try await app.runDueJobs()
            #expect(try await Enquiry.find(id, on: app.db)?.status == .failed)
            sandbox.suiteDash.switches = SandboxSwitches()

            let browser = try await app.signedInBrowser()
            let form = try await browser.get("/admin/submissions/\(id)/edit")
            #expect(form.text.contains("value=\"ada@example.com\""))
            #expect(form.text.contains("valid email address"))
            let invalid = try await browser.post("/admin/submissions/\(id)", form: ["first_name": "Ada", "email": "not-an-email"])
            #expect(invalid.status == .unprocessableEntity)
            #expect(try await Enquiry.find(id, on: app.db)?.email == "ada@example.com")

            let saved = try await browser.post("/admin/submissions/\(id)", form: [
                "first_name": "Ada", "last_name": "Lovelace", "email": "Ada.L@Example.com", "phone": "+1 415 555 0100",
                "service_interest": "Business Strategy", "message": "Fixed."])
            #expect(saved.location?.contains("queued") == true, "\(saved.status)")
            let edited = try #require(try await Enquiry.find(id, on: app.db))
            #expect(edited.email == "ada.l@example.com")
            #expect(edited.status == .pending)
            #expect(edited.syncError == nil)
            try await app.runDueJobs()
            #expect(try await Enquiry.find(id, on: app.db)?.status == .synced)
            #expect(sandbox.suiteDash.contacts.first?.fields["email"] == "ada.l@example.com")
        }
    }

    @Test("API mode is not switched on without a budget: the page asks for the plan, a plan sets its monthly calls, Custom takes the number typed")
    func apiModeAsksForThePlan() async throws {
        try await withSuiteDash { app, sandbox in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            var form = Self.form(sandbox)
            form["monthly_call_limit"] = ""
            let refused = try await browser.post("/admin/integrations/suitedash", form: form)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("Choose your SuiteDash plan"))
            #expect(try await app.services.suiteDash.settings.load().savedByAdmin == false, "nothing saved")
            form["plan"] = "start"
            #expect(try await browser.post("/admin/integrations/suitedash", form: form).status == .seeOther)
            #expect(try await app.services.suiteDash.settings.load().monthlyCallLimit == 400)
            #expect(try await browser.get("/admin/integrations/suitedash").text.contains("<option value=\"start\" selected>"))
            form["plan"] = "custom"
            #expect(try await browser.post("/admin/integrations/suitedash", form: form).status == .unprocessableEntity)
            form["monthly_call_limit"] = "1500"
            #expect(try await browser.post("/admin/integrations/suitedash", form: form).status == .seeOther)
            #expect(try await app.services.suiteDash.settings.load().monthlyCallLimit == 1500)
        }
    }
}
