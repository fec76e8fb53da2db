import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// Issue #30's WordPress recipes (docs/integration-guide.md), tried the only way this repository
/// can: no WordPress runs here, so each test posts the body its add-on builds, as the add-on's
/// public source or documentation shows it, to `/api/contact?form=…`, and checks what is stored.
/// - CF7 to Webhook (mariovalney/cf7-to-zapier, `get_data_from_contact_form`): one key per form
///   tag, the raw posted value, `''` for a field left empty, a checkbox's choices as a list.
/// - Gravity Forms Webhooks Add-On, Request Body "Select Fields": the keys the admin typed, each
///   a string, an empty field `""`.
/// - WPForms Webhooks addon: the mapped keys; checkbox choices joined by `||`; a date-time field
///   as an object `{value, unix}`.
@Suite("WordPress add-ons posting to /api/contact")
struct WordPressPayloadTests {
    static func post(_ app: Application, _ body: [String: Any]) async throws -> TestingHTTPResponse {
        // Each add-on posts from the WordPress server with a JSON content type and no Origin.
        try await app.testing().sendRequest(.POST, "/api/contact?form=quote",
                                            headers: ["Content-Type": "application/json", "User-Agent": "WordPress/6.8; https://www.client-site.example"],
                                            body: IntakeAPITests.json(body))
    }

    @Test("Contact Form 7 through CF7 to Webhook: empty fields are absent, a checkbox list is joined, tags kept")
    func contactForm7() async throws {
        try await withApp { app in
            _ = try await FormPostTests.makeForm(app)
            let response = try await Self.post(app, [
                "first_name": "Ada", "email": "ada@example.com", "phone": "", "company": "",
                "message": "Please call about a new website.", "consent": "1",
                "services": ["SEO", "Ads"], "utm_source": "newsletter", "utm_campaign": "",
            ])
            #expect(response.status == .created, "\(response.body.string)")
            let enquiry = try #require(try await Enquiry.query(on: app.db).first())
            #expect(enquiry.phone == nil && enquiry.company == nil)
            #expect(enquiry.consent)
            #expect(enquiry.extraFields.map(\.name) == ["services"] && enquiry.extraFields.first?.value == "SEO, Ads")
            #expect(enquiry.utmSource == "newsletter" && enquiry.utmCampaign == nil)
            #expect(enquiry.formID == (try await WebForm.query(on: app.db).filter(\.$slug == "quote").first())?.id)
        }
    }

    @Test("Gravity Forms' Webhooks Add-On with Select Fields: custom source and landing page stored")
    func gravityForms() async throws {
        try await withApp { app in
            _ = try await FormPostTests.makeForm(app)
            let response = try await Self.post(app, [
                "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com", "phone": "+14155550123",
                "message": "", "consent": "1", "source": "gravityforms",
                "landing_page": "https://www.client-site.example/contact/?utm_source=google",
            ])
            #expect(response.status == .created, "\(response.body.string)")
            let enquiry = try #require(try await Enquiry.query(on: app.db).first())
            #expect(enquiry.source == "gravityforms" && enquiry.lastName == "Hopper" && enquiry.phone == "+14155550123")
            #expect(enquiry.landingPage == "https://www.client-site.example/contact/?utm_source=google")
            #expect(enquiry.extraFields.isEmpty)
        }
    }

    @Test("WPForms' Webhooks addon: a ||-joined checkbox is kept; a date-time object is a 422 that names it, nothing stored")
    func wpForms() async throws {
        try await withApp { app in
            _ = try await FormPostTests.makeForm(app)
            let refused = try await Self.post(app, [
                "first_name": "Kat", "email": "kat@example.com", "consent": "on",
                "meeting": ["value": "12/10/2026 10:00 am", "unix": 1_796_896_800],
            ])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("meeting") && refused.body.string.contains("put further fields in"))
            #expect(try await Enquiry.query(on: app.db).count() == 0)

            let response = try await Self.post(app, [
                "first_name": "Kat", "email": "kat@example.com", "consent": "on",
                "services": "SEO||Ads", "meeting": "12/10/2026 10:00 am",
            ])
            #expect(response.status == .created, "\(response.body.string)")
            let enquiry = try #require(try await Enquiry.query(on: app.db).first())
            #expect(enquiry.extraFields.map(\.name) == ["meeting", "services"])
            #expect(enquiry.extraFields.map(\.value) == ["12/10/2026 10:00 am", "SEO||Ads"])
        }
    }

    @Test("a plugin's \"all fields\" body, keyed by its own names, is a 422 that names first_name; nothing stored")
    func unmappedAllFields() async throws {
        try await withApp { app in
            _ = try await FormPostTests.makeForm(app)
            let response = try await Self.post(app, ["your-name": "Ada", "your-email": "ada@example.com", "acceptance-1": "1"])
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("first_name"))
            #expect(try await Enquiry.query(on: app.db).count() == 0)
        }
    }
}
