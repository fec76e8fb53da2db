import Fluent
import Foundation
import Testing
import VaporTesting
@testable import LeadBridge

/// `leadbridge demo` catches its mail in-process: nothing leaves, and "Emails the demo sent" shows it.
@Suite struct EmailDemoTests {
    @Test("a caught staff email is shown on the demo's page, and marked sent with the demo's queue id")
    func caughtMail() async throws {
        try await withApp({
            $0.mail.catchesMail = true
            $0.mail.host = "mail.demo.invalid"
            $0.mail.fromAddress = "leads@demo.example"
            $0.mail.alertTo = ["staff@demo.example"]
        }) { app in
            let id = try await app.submitEnquiry(firstName: "Demi", lastName: "Demo", interest: "Other")
            try await app.runDueJobs()
            let row = try #require(try await EmailMessage.query(on: app.db).first())
            #expect(row.status == .sent && row.queueID?.hasPrefix("demo-") == true)
            let page = try await app.signedInAdmin().get("/admin/email/caught").text
            #expect(page.contains("Emails the demo sent"))
            #expect(page.contains("New enquiry: Demi Demo (Other)"))
            #expect(page.contains("/admin/submissions/\(id)"))
            #expect(try await IntegrationLog.query(on: app.db).filter(\.$provider == "email").count() == 0, "nothing was sent")
        }
    }
}
