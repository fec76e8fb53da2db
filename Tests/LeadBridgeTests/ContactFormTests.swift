import Fluent
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

@Suite("The /contact page")
struct ContactFormTests {
    static let valid = ["first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com",
                        "service_interest": "Other", "message": "Hello", "consent": "on"]

    @Test func pageHasTheFormAToken() async throws {
        try await withApp { app in
            let browser = Browser(app)
            let page = try await browser.get("/contact")
            #expect(page.status == .ok)
            let token = try #require(browser.csrfToken)
            #expect(page.text.contains("name=\"_csrf\" value=\"\(token)\""))
            #expect(page.text.contains("name=\"website\""))
            #expect(page.text.contains("Business Strategy"))
        }
    }

    @Test func validSubmissionRedirectsToThanksAndIsStored() async throws {
        try await withApp { app in
            let browser = Browser(app)
            try await browser.get("/contact")
            let response = try await browser.post("/contact", form: Self.valid)
            #expect(response.status == .seeOther)
            #expect(response.location == "/contact/thanks")
            #expect(try await browser.get("/contact/thanks").text.contains("Thank you"))
            let row = try #require(try await Enquiry.query(on: app.db).first())
            #expect(row.email == "grace@example.com")
            #expect(row.consent)
        }
    }

    @Test func invalidSubmissionKeepsInputEscapedAndShowsEachError() async throws {
        try await withApp { app in
            let browser = Browser(app)
            try await browser.get("/contact")
            var form = Self.valid
            form["first_name"] = "<b>Grace</b>"
            form["email"] = "grace@"
            form["consent"] = nil
            let response = try await browser.post("/contact", form: form)
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("value=\"&lt;b&gt;Grace&lt;/b&gt;\""))
            #expect(!response.text.contains("<b>Grace</b>"))
            #expect(response.text.contains("id=\"email-error\""))
            #expect(response.text.contains("id=\"consent-error\""))
            #expect(try await Enquiry.query(on: app.db).count() == 0)
        }
    }

    @Test func postWithoutOrWithWrongCSRFTokenIsRefused() async throws {
        try await withApp { app in
            let stranger = Browser(app)
            #expect(try await stranger.post("/contact", form: Self.valid).status == .forbidden)

            let browser = Browser(app)
            try await browser.get("/contact")
            var forged = Self.valid
            forged["_csrf"] = SecureToken.make()
            #expect(try await browser.post("/contact", form: forged, withCSRF: false).status == .forbidden)
            #expect(try await Enquiry.query(on: app.db).count() == 0)
        }
    }

    /// #31: the bot sees the thank-you page; the enquiry is kept in Spam, not dropped.
    @Test func honeypotShowsThanksAndKeepsItAsSpam() async throws {
        try await withApp { app in
            let browser = Browser(app)
            try await browser.get("/contact")
            var form = Self.valid
            form["website"] = "buy-now.example"
            let response = try await browser.post("/contact", form: form)
            #expect(response.location == "/contact/thanks")
            #expect(try await Enquiry.query(on: app.db).all().map(\.status) == [.spam])
        }
    }

    @Test func rateLimitedFormSaysHowLongToWait() async throws {
        try await withApp({ $0.intake.rateLimit = 1 }) { app in
            let browser = Browser(app)
            try await browser.get("/contact")
            #expect(try await browser.post("/contact", form: Self.valid).status == .seeOther)
            let refused = try await browser.post("/contact", form: Self.valid)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.text.contains("try again"))
            #expect(try await Enquiry.query(on: app.db).count() == 1)
        }
    }

    @Test func landingPageLinksToTheContactPage() async throws {
        try await withApp { app in
            let page = try await Browser(app).get("/")
            #expect(page.status == .ok)
            #expect(page.text.contains("href=\"/contact\""))
        }
    }
}
