import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// Issue #32, per form: a form's own staff addresses and acknowledgement; the staff email
/// names the form and lists its extra fields and where the lead came from.
@Suite("Email per form", .enabled(if: TestSMTPServer.isConfigured, TestSMTPServer.skipReason))
struct FormEmailTests {
    @Test("a form's own staff inbox gets its enquiries (with the form, extra fields and source), the shared inbox the rest; its acknowledgement choice beats Admin > Email's")
    func perFormRecipientsAndAcknowledgement() async throws {
        let server = try TestSMTPServer.require()
        let shared = TestSMTPServer.address("shared"), sales = TestSMTPServer.address("sales")
        let lead = TestSMTPServer.address("lead"), contactLead = TestSMTPServer.address("contact-lead")
        try await withApp({ server.configure(&$0, staff: [shared]) }) { app in
            // The acknowledgement's words and footer, with Admin > Email's own switch off.
            var email = try await app.services.email.settings(on: app.db).load()
            email.businessFooter = "Acme Advisory Ltd, 1 High Street, Leeds"
            try await app.services.email.settings(on: app.db).save(email, keepPassword: true)
            let admin = try await app.signedInAdmin()
            let refused = try await admin.post("/admin/forms", form: [
                "name": "Quote", "slug": "quote", "websites": FormPostTests.site, "alert_email_to": "sales, \(sales)",
            ])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("“sales” is not an email address"))
            let created = try await admin.post("/admin/forms", form: [
                "name": "Quote request", "slug": "quote", "websites": FormPostTests.site, "alert_email_to": sales.uppercased(),
                "acknowledgement": "on", "field_name_0": "budget", "field_label_0": "Budget",
            ])
            #expect(created.status == .seeOther)
            let form = try #require(try await WebForm.find(slug: "quote", on: app.db))
            #expect(form.alertEmailTo == [sales] && form.acknowledges == true)

            _ = try await FormPostTests.post(app, "/f/quote", [
                ("first_name", "Ada"), ("email", lead), ("budget", "Over 10k www.budget-spam.example"), ("utm_source", "newsletter"),
                ("utm_campaign", "winter"),
            ])
            try await app.submitEnquiry(firstName: "Cy", email: contactLead)
            try await app.runDueJobs()

            let toSales = try await server.received(for: sales)
            #expect(toSales.count == 1 && toSales[0].rcpt_tos == [sales], "the form's inbox alone")
            let text = try #require(toSales.first?.text), html = try #require(toSales.first?.html)
            for part in [text, html] {
                #expect(part.contains("Quote request"), "the form is named")
                #expect(part.contains("Budget") && part.contains("Over 10k [link]") && !part.contains("budget-spam"))
                #expect(part.contains("UTM source") && part.contains("newsletter") && part.contains("winter"))
            }
            let toShared = try await server.received(for: shared)
            #expect(toShared.count == 1 && toShared[0].header("Subject") == ["New enquiry: Cy Lovelace (Business Strategy)"])
            #expect(try await server.received(for: lead).map { $0.header("Auto-Submitted") } == [["auto-replied"]],
                    "the form acknowledges though Admin > Email does not")
            #expect(try await server.received(for: contactLead, within: 1).isEmpty, "the contact page's form follows Admin > Email: off")

            // Off for the form, though Admin > Email turns it on for everyone else.
            var settings = try await app.services.email.settings(on: app.db).load()
            settings.acknowledgementOn = true
            try await app.services.email.settings(on: app.db).save(settings, keepPassword: true)
            _ = try await admin.post("/admin/forms/\(form.id!)", form: [
                "name": "Quote request", "slug": "quote", "websites": FormPostTests.site, "acknowledgement": "off",
            ])
            let quiet = TestSMTPServer.address("quiet")
            _ = try await FormPostTests.post(app, "/f/quote", [("first_name", "Bo"), ("email", quiet)])
            try await app.runDueJobs()
            #expect(try await server.received(for: quiet, within: 1).isEmpty)
            // Its alert is the shared inbox's again: within a minute of Cy's, it waits for that inbox's summary.
            let bo = try #require(try await Enquiry.query(on: app.db).filter(\.$email == quiet).first())
            let alert = try #require(try await EmailMessage.query(on: app.db).filter(\.$kind == .staffAlert).filter(\.$enquiry.$id == bo.id).first())
            #expect(alert.toAddresses == shared && alert.status == .batched)
            let summary = try #require(try await EmailMessage.query(on: app.db).filter(\.$kind == .staffSummary).first())
            #expect(summary.toAddresses == shared && alert.summaryID == summary.id)
        }
    }
}
