import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// Issue #30: any website's plain HTML form posts to `/f/{slug}`; its own fields and where the
/// lead came from are kept.
@Suite("Forms: /f/{slug}")
struct FormPostTests {
    static let site = "https://www.client-site.example"

    static func makeForm(_ app: Application, slug: String = "quote", fields: [FormField] = [],
                         thanks: String? = nil, speedToLead: Bool = true) async throws -> WebForm {
        let form = WebForm(slug: slug, name: "Quote request")
        form.origins = [site]
        form.fields = fields
        form.thankYouURL = thanks
        form.speedToLead = speedToLead
        try await form.create(on: app.db)
        return form
    }

    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { key, value in
            let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._*"))
            return "\(key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\(value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
    }

    static func post(_ app: Application, _ path: String, _ pairs: [(String, String)], origin: String? = site,
                     accept: String = "text/html", referer: String? = nil) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded", "Accept": accept]
        if let origin { headers.add(name: .origin, value: origin) }
        if let referer { headers.add(name: .referer, value: referer) }
        // The contact consent every form carries (CONTACT_CONSENT_REQUIRED is on by default).
        let withConsent = pairs.contains { $0.0 == "consent" } ? pairs : pairs + [("consent", "on")]
        return try await app.testing().sendRequest(.POST, path, headers: headers, body: ByteBuffer(string: encode(withConsent)))
    }

    @Test("a plain form from one of the form's websites is stored with its extra fields and tags, and answered 303 to its thank-you page")
    func aPlainFormPostIsStored() async throws {
        try await withApp { app in
            let form = try await Self.makeForm(app, fields: [
                FormField(name: "budget", label: "Budget", kind: .choice, required: true, options: ["Under 5k", "5k+"]),
                FormField(name: "start", label: "Start date", kind: .date),
            ], thanks: Self.site + "/thanks")
            let response = try await Self.post(app, "/f/quote", [
                ("first_name", "Ada"), ("email", "ada@example.com"), ("budget", "5k+"), ("start", "2027-01-15"),
                ("project_name", "Engine"), ("utm_source", "Newsletter"), ("utm_campaign", "winter"),
                ("landing_page", Self.site + "/services?utm_source=Newsletter#top"),
            ])
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == Self.site + "/thanks")
            let enquiry = try #require(try await Enquiry.query(on: app.db).first())
            #expect(enquiry.formID == form.id)
            #expect(enquiry.extraFields.map(\.name) == ["budget", "start", "project_name"])
            #expect(enquiry.extraFields.map(\.value) == ["5k+", "2027-01-15", "Engine"])
            #expect(enquiry.utmSource == "Newsletter")
            #expect(enquiry.utmCampaign == "winter")
            #expect(enquiry.channel == "newsletter")
            #expect(enquiry.landingPage == Self.site + "/services?utm_source=Newsletter", "the fragment is dropped")
            let page = try await app.signedInAdmin().get("/admin/submissions/\(try enquiry.requireID())").text
            #expect(page.contains("No message came with it.") && !page.contains("<div class=\"message\"></div>"),
                    "an enquiry without a message says so, not an empty box")
        }
    }

    @Test("a post from a website not in the list, or with no Origin or Referer, is refused with a sentence and stores nothing")
    func otherWebsitesAreRefused() async throws {
        try await withApp { app in
            _ = try await Self.makeForm(app)
            let stranger = try await Self.post(app, "/f/quote", [("first_name", "Eve"), ("email", "eve@example.com")],
                                               origin: "https://evil.example")
            #expect(stranger.status == .forbidden)
            #expect(stranger.body.string.contains("https://evil.example is not allowed to post to the form"))
            let anonymous = try await Self.post(app, "/f/quote", [("first_name", "Eve"), ("email", "eve@example.com")], origin: nil)
            #expect(anonymous.status == .forbidden)
            let byReferer = try await Self.post(app, "/f/quote", [("first_name", "Bob"), ("email", "bob@example.com")],
                                                origin: nil, referer: Self.site + "/contact")
            #expect(byReferer.status == .seeOther)
            #expect(try await Enquiry.query(on: app.db).count() == 1)
        }
    }

    @Test("field errors answer a page naming each field with a link back; a required choice, a bad date")
    func fieldErrorsNameEachField() async throws {
        try await withApp { app in
            _ = try await Self.makeForm(app, fields: [
                FormField(name: "budget", label: "Budget", kind: .choice, required: true, options: ["Small"]),
                FormField(name: "start", label: "Start date", kind: .date),
            ])
            let response = try await Self.post(app, "/f/quote", [("email", "x@example.com"), ("start", "next week")],
                                               referer: Self.site + "/contact")
            #expect(response.status == .unprocessableEntity)
            let page = response.body.string
            #expect(page.contains("<strong>First name</strong>"))
            #expect(page.contains("<strong>Budget</strong>: Fill in “Budget”."))
            #expect(page.contains("<strong>Start date</strong>: Write “Start date” as a date"))
            #expect(page.contains("href=\"\(Self.site)/contact\""))
            #expect(try await Enquiry.query(on: app.db).count() == 0)
        }
    }

    @Test("_next is honoured only on one of the form's websites; without a thank-you URL, LeadBridge's own page")
    func nextMustBeOnAWebsite() async throws {
        try await withApp { app in
            _ = try await Self.makeForm(app)
            let good = try await Self.post(app, "/f/quote", [("first_name", "A"), ("email", "a@example.com"), ("_next", Self.site + "/merci")])
            #expect(good.headers.first(name: .location) == Self.site + "/merci")
            let evil = try await Self.post(app, "/f/quote", [("first_name", "B"), ("email", "b@example.com"), ("_next", "https://evil.example/phish")])
            #expect(evil.headers.first(name: .location) == "/f/quote/thanks")
        }
    }

    @Test("Accept: application/json gets /api/contact's answers, with CORS for the website")
    func jsonAnswersWithCORS() async throws {
        try await withApp { app in
            _ = try await Self.makeForm(app)
            let created = try await Self.post(app, "/f/quote", [("first_name", "Ada"), ("email", "ada@example.com")], accept: "application/json")
            #expect(created.status == .created)
            #expect(created.headers.first(name: .accessControlAllowOrigin) == Self.site)
            #expect(created.headers.first(name: .accessControlAllowCredentials) == nil)
            let invalid = try await Self.post(app, "/f/quote", [("email", "nope")], accept: "application/json")
            #expect(invalid.status == .unprocessableEntity)
            struct Invalid: Decodable { let fields: [String: String] }
            #expect(try invalid.content.decode(Invalid.self).fields.keys.sorted() == ["email", "first_name"])
            #expect(invalid.headers.first(name: .accessControlAllowOrigin) == Self.site)

            let preflight = try await app.testing().sendRequest(.OPTIONS, "/f/quote", headers: ["Origin": Self.site, "Access-Control-Request-Method": "POST"])
            #expect(preflight.headers.first(name: .accessControlAllowOrigin) == Self.site)
            let strangerPreflight = try await app.testing().sendRequest(.OPTIONS, "/f/quote", headers: ["Origin": "https://evil.example"])
            #expect(strangerPreflight.headers.first(name: .accessControlAllowOrigin) == nil)
        }
    }

    @Test("multipart works; a file is a 415 with a sentence and stores nothing")
    func multipartAndFiles() async throws {
        try await withApp { app in
            _ = try await Self.makeForm(app)
            func multipart(_ parts: [String]) -> ByteBuffer {
                ByteBuffer(string: parts.map { "--XyZ\r\n\($0)\r\n" }.joined() + "--XyZ--\r\n")
            }
            let headers: HTTPHeaders = ["Content-Type": "multipart/form-data; boundary=XyZ", "Origin": Self.site]
            let ok = try await app.testing().sendRequest(.POST, "/f/quote", headers: headers, body: multipart([
                "Content-Disposition: form-data; name=\"first_name\"\r\n\r\nZoë",
                "Content-Disposition: form-data; name=\"email\"\r\n\r\nzoe@example.com",
                "Content-Disposition: form-data; name=\"consent\"\r\n\r\non",
                "Content-Disposition: form-data; name=\"cv\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n",
            ]))
            #expect(ok.status == .seeOther)
            #expect(try await Enquiry.query(on: app.db).first()?.firstName == "Zoë")
            let file = try await app.testing().sendRequest(.POST, "/f/quote", headers: headers, body: multipart([
                "Content-Disposition: form-data; name=\"first_name\"\r\n\r\nMallory",
                "Content-Disposition: form-data; name=\"email\"\r\n\r\nm@example.com",
                "Content-Disposition: form-data; name=\"cv\"; filename=\"cv.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4",
            ]))
            #expect(file.status == .unsupportedMediaType)
            #expect(file.body.string.contains("cannot take files"))
            #expect(try await Enquiry.query(on: app.db).count() == 1)
        }
    }

    @Test("more than 20 extra fields, or one over 2,000 characters, is a 422 that says so; nothing stored")
    func extraFieldLimits() async throws {
        try await withApp { app in
            _ = try await Self.makeForm(app)
            let many = (1...21).map { ("field\($0)", "value") }
            let tooMany = try await Self.post(app, "/f/quote", [("first_name", "A"), ("email", "a@example.com")] + many, accept: "application/json")
            #expect(tooMany.status == .unprocessableEntity)
            #expect(tooMany.body.string.contains("at most 20"))
            let long = try await Self.post(app, "/f/quote", [("first_name", "A"), ("email", "a@example.com"),
                                                               ("notes", String(repeating: "x", count: 2001))], accept: "application/json")
            #expect(long.status == .unprocessableEntity)
            #expect(long.body.string.contains("under 2,000 characters"))
            #expect(try await Enquiry.query(on: app.db).count() == 0)
        }
    }

    @Test("the hosted form may be framed by the form's websites only, and carries the attribution in its address")
    func hostedFormFraming() async throws {
        try await withApp { app in
            _ = try await Self.makeForm(app, fields: [FormField(name: "budget", label: "Your budget", kind: .text)])
            let page = try await app.testing().sendRequest(.GET, "/f/quote?utm_source=ads&utm_medium=cpc")
            #expect(page.status == .ok)
            let policy = try #require(page.headers.first(name: "Content-Security-Policy"))
            #expect(policy.contains("frame-ancestors 'self' \(Self.site);"))
            #expect(page.headers.first(name: "X-Frame-Options") == nil)
            #expect(page.body.string.contains("name=\"utm_source\" value=\"ads\""))
            #expect(page.body.string.contains("Your budget"))
            #expect(!page.body.string.contains("name=\"_csrf\""))
            let contact = try await app.testing().sendRequest(.GET, "/contact")
            #expect(contact.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
            #expect(try await app.testing().sendRequest(.GET, "/f/nothing-here").status == .notFound)
        }
    }

    @Test("/api/contact keeps unknown keys and an extra object as extra fields, and the attribution keys in their columns")
    func jsonExtrasAndAttribution() async throws {
        try await withApp { app in
            let body: [String: Any] = [
                "first_name": "Ada", "email": "ada@example.com", "consent": true,
                "extra": ["budget": "10k", "seats": 4], "how_heard": "a friend",
                "utm_source": "google", "gclid": "abc123", "referrer": "https://www.google.com/",
                "last_touch": ["utm_source": "newsletter"],
            ]
            let response = try await IntakeAPITests.post(app, body)
            #expect(response.status == .created)
            let enquiry = try #require(try await Enquiry.query(on: app.db).first())
            #expect(enquiry.extraFields.map(\.name) == ["budget", "seats", "how_heard"])
            #expect(enquiry.extraFields.map(\.value) == ["10k", "4", "a friend"])
            #expect(enquiry.gclid == "abc123")
            #expect(enquiry.channel == "google")
            #expect(enquiry.lastTouch[.utmSource] == "newsletter")
            #expect(enquiry.formID == (try await WebForm.contact(on: app.db)).id)

            let nested = try await IntakeAPITests.post(app, ["first_name": "B", "email": "b@example.com", "consent": true, "address": ["city": "Paris"]])
            #expect(nested.status == .unprocessableEntity)
            #expect(nested.body.string.contains("put further fields in"))
        }
    }

    @Test("a form with speed to lead off queues no staff alert for its enquiries; the contact page's still does")
    func speedToLeadPerForm() async throws {
        try await withRingCentral({ SpeedToLeadTests.configure(&$0, alerts: true) }) { app, _ in
            _ = try await Self.makeForm(app, speedToLead: false)
            _ = try await Self.post(app, "/f/quote", [("first_name", "Quiet"), ("email", "q@example.com")])
            #expect(try await SpeedToLeadTests.automatic(app, .alert).isEmpty)
            _ = try await IntakeAPITests.post(app, ["first_name": "Loud", "email": "l@example.com", "consent": true])
            #expect(try await SpeedToLeadTests.automatic(app, .alert).count == 1)
        }
    }

    @Test("extra fields are searchable, on both databases")
    func extraFieldsAreSearchable() async throws {
        try await withApp { app in
            _ = try await Self.makeForm(app)
            _ = try await Self.post(app, "/f/quote", [("first_name", "Ada"), ("email", "ada@example.com"), ("project", "Difference Engine")])
            _ = try await Self.post(app, "/f/quote", [("first_name", "Bob"), ("email", "bob@example.com"), ("project", "Loom")])
            let ids = try await EnquirySearch.matchingIDs("difference eng", status: nil, offset: 0, limit: 10, on: app.db)
            #expect(ids.count == 1)
            let found = try await Enquiry.find(ids.first, on: app.db)
            #expect(found?.firstName == "Ada")
        }
    }
}

@Suite("Admin > Forms, and the intake's OpenAPI document")
struct FormsAdminTests {
    @Test("an admin creates a form with websites and extra fields; a reserved or malformed name is refused with a sentence")
    func createAndEdit() async throws {
        try await withApp { app in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let list = try await browser.get("/admin/forms")
            #expect(list.status == .ok)
            #expect(list.body.string.contains("/f/contact"))
            try await browser.get("/admin/forms/new")
            let refused = try await browser.post("/admin/forms", form: [
                "name": "Quote", "slug": "Quote Request", "websites": "not a site",
                "field_name_0": "email", "field_label_0": "Email",
            ])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("lower-case letters, digits and dashes"))
            #expect(refused.body.string.contains("is not a website address"))
            #expect(refused.body.string.contains("one of the fields every form has already"))
            #expect(try await WebForm.query(on: app.db).count() == 1)

            let created = try await browser.post("/admin/forms", form: [
                "name": "Quote", "slug": "quote", "websites": "www.client-site.example\nhttps://Shop.Example:8443/",
                "thank_you_url": "https://www.client-site.example/thanks", "tags": "quote, web", "speed_to_lead": "on",
                "field_name_0": "budget", "field_label_0": "Budget", "field_type_0": "choice", "field_options_0": "Small, Large",
                "field_required_0": "on", "field_suitedash_0": "cf_budget",
            ])
            #expect(created.status == .seeOther)
            let form = try #require(try await WebForm.find(slug: "quote", on: app.db))
            #expect(form.origins == ["https://www.client-site.example", "https://shop.example:8443"])
            #expect(form.fields == [FormField(name: "budget", label: "Budget", kind: .choice, required: true, options: ["Small", "Large"])])
            #expect(form.fieldMap == ["budget": "cf_budget"])
            #expect(form.tags == ["quote", "web"])
            let page = try await browser.get("/admin/forms/\(form.id!)")
            #expect(page.body.string.contains("data-leadbridge=\"quote\""))
            #expect(page.body.string.contains("/embed.js"))

            let contact = try await WebForm.contact(on: app.db)
            let delete = try await browser.post("/admin/forms/\(contact.id!)/delete", form: [:])
            #expect(delete.status == .conflict)
        }
    }

    @Test("/api/openapi.json serves the document docs/openapi.json holds")
    func openAPIDocument() async throws {
        try await withApp { app in
            let served = try await app.testing().sendRequest(.GET, "/api/openapi.json")
            #expect(served.status == .ok)
            #expect(served.headers.contentType == .json)
            let docs = try String(contentsOfFile: packageRoot + "docs/openapi.json", encoding: .utf8)
            #expect(served.body.string == docs)
            let object = try JSONSerialization.jsonObject(with: Data(docs.utf8)) as? [String: Any]
            #expect((object?["openapi"] as? String) == "3.1.0")
        }
    }
}

@Suite("Form bodies and origins, read fast")
struct FormBodyReadingTests {
    @Test("urlencoded: + is a space, %XX its byte (UTF-8), a broken escape empties that part, a nameless pair is dropped")
    func urlEncodedDecoding() {
        let fields = FormBody.urlEncoded("first+name=Ad%C3%A1+L&msg=50%25+off%21&bad=%ZZ&%E2%9C%93=tick&=orphan&empty&half=%4&latin=%E9")
        #expect(fields.map(\.name) == ["first name", "msg", "bad", "✓", "empty", "half", "latin"])
        #expect(fields.map(\.value) == ["Adá L", "50% off!", "", "tick", "", "", ""])
    }

    @Test("an Origin already in normal form is taken as it is; anything else goes through normalize")
    func normalOrigins() {
        for origin in ["https://www.example.com", "http://127.0.0.1:8000", "https://shop.example:8443", "http://localhost:9"] {
            #expect(FormOrigins.isNormalOrigin(origin), "\(origin)")
            #expect(FormOrigins.normalize(origin) == origin, "\(origin)")
        }
        for origin in ["https://WWW.example.com", "https://example.com:443", "http://example.com:80", "https://example.com/",
                       "https://a:b@example.com", "ftp://example.com", "https://", "https://example.com:0", "https://example.com:99999",
                       "https://[::1]:8000", "https://example.com:08443"] {
            #expect(!FormOrigins.isNormalOrigin(origin), "\(origin)")
        }
    }
}
