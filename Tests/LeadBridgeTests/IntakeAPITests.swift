import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

@Suite("POST /api/contact")
struct IntakeAPITests {
    static var valid: [String: Any] { [
        "first_name": "Ada", "last_name": "Lovelace", "email": "Ada@Example.com",
        "phone": "(415) 555-0100", "company": "Analytical Engines", "service_interest": "Other",
        "message": "Line one\r\nLine two", "consent": true,
    ] }

    static func json(_ fields: [String: Any]) -> ByteBuffer {
        ByteBuffer(data: try! JSONSerialization.data(withJSONObject: fields))
    }

    static func post(_ app: Application, _ fields: [String: Any], headers: HTTPHeaders = ["Content-Type": "application/json"]) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.POST, "/api/contact", headers: headers, body: json(fields))
    }

    @Test func validEnquiryIsStoredBeforeThe201() async throws {
        try await withApp { app in
            let response = try await Self.post(app, Self.valid)
            #expect(response.status == .created)
            struct Created: Decodable { let id: Int; let status: String }
            let created = try response.content.decode(Created.self)
            #expect(created.status == "pending")

            let row = try #require(try await Enquiry.find(created.id, on: app.db))
            #expect(row.firstName == "Ada")
            #expect(row.email == "ada@example.com")
            #expect(row.phone == "+14155550100")
            #expect(row.message == "Line one\nLine two")
            #expect(row.status == .pending)
            #expect(row.consent)
            #expect(row.consentAt != nil)
            #expect(row.source == "website")
        }
    }

    @Test(arguments: [
        ("first_name", "", "first_name"),
        ("email", "not-an-email", "email"),
        ("email", "a@b", "email"),
        ("phone", "12", "phone"),
        ("phone", "call me maybe", "phone"),
        ("phone", "+1 011 555 0100", "phone"),
        ("service_interest", "Alchemy", "service_interest"),
        ("company", String(repeating: "x", count: 201), "company"),
        ("message", String(repeating: "y", count: 5001), "message"),
    ])
    func invalidFieldIsRefusedWithASentenceAndNothingStored(field: String, value: String, errorKey: String) async throws {
        try await withApp { app in
            var fields = Self.valid
            fields[field] = value
            let response = try await Self.post(app, fields)
            #expect(response.status == .unprocessableEntity)
            struct Invalid: Decodable { let error: String; let fields: [String: String] }
            let body = try response.content.decode(Invalid.self)
            let message = try #require(body.fields[errorKey])
            #expect(message.hasSuffix("."))
            #expect(try await Enquiry.query(on: app.db).count() == 0)
        }
    }

    @Test func needsAnEmailOrAPhone() async throws {
        try await withApp { app in
            var fields = Self.valid
            fields["email"] = nil
            fields["phone"] = nil
            let response = try await Self.post(app, fields)
            #expect(response.status == .unprocessableEntity)
            #expect(response.text.contains("email address or a phone number"))

            fields["phone"] = "+44 20 7946 0958"
            #expect(try await Self.post(app, fields).status == .created)
            #expect(try await Enquiry.query(on: app.db).first()?.phone == "+442079460958")
        }
    }

    @Test func consentIsRequiredUnlessSwitchedOff() async throws {
        let fields = Self.valid.merging(["consent": false]) { $1 }
        try await withApp { app in
            let refused = try await Self.post(app, fields)
            #expect(refused.status == .unprocessableEntity)
        }
        try await withApp({ $0.intake.consentRequired = false }) { app in
            let accepted = try await Self.post(app, fields)
            #expect(accepted.status == .created)
        }
    }

    @Test func controlCharactersAndBidiOverridesAreStripped() async throws {
        try await withApp { app in
            var fields = Self.valid
            fields["first_name"] = "Ev\u{0007}e\u{202E}"
            fields["message"] = "hello\u{0000}\tworld\u{001B}[31m"
            #expect(try await Self.post(app, fields).status == .created)
            let row = try #require(try await Enquiry.query(on: app.db).first())
            #expect(row.firstName == "Eve")
            #expect(row.message == "hello\tworld[31m")
        }
    }

    /// #31: a honeypot hit is answered as before, and kept in Spam (it used to be dropped).
    @Test func honeypotIsAnsweredAndKeptAsSpam() async throws {
        try await withApp { app in
            var fields = Self.valid
            fields["website"] = "http://spam.example"
            let response = try await Self.post(app, fields)
            #expect(response.status == .accepted)
            #expect(try await Enquiry.query(on: app.db).all().map(\.status) == [.spam])
        }
    }

    @Test func malformedJSONAndWrongContentTypeAreClear4xx() async throws {
        try await withApp { app in
            let broken = try await app.testing().sendRequest(.POST, "/api/contact",
                headers: ["Content-Type": "application/json"], body: ByteBuffer(string: "{\"first_name\": "))
            #expect(broken.status == .badRequest)
            #expect(broken.text.contains("valid JSON"))

            let wrongType = try await app.testing().sendRequest(.POST, "/api/contact",
                headers: ["Content-Type": "text/plain"], body: ByteBuffer(string: "first_name=Ada"))
            #expect(wrongType.status == .unsupportedMediaType)

            let wrongShape = try await app.testing().sendRequest(.POST, "/api/contact",
                headers: ["Content-Type": "application/json"], body: ByteBuffer(string: "[1,2,3]"))
            #expect(wrongShape.status == .badRequest)
            #expect(try await Enquiry.query(on: app.db).count() == 0)
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        try await withApp({ $0.intake.rateLimit = 3 }) { app in
            for _ in 0..<3 { #expect(try await Self.post(app, Self.valid).status == .created) }
            let refused = try await Self.post(app, Self.valid)
            #expect(refused.status == .tooManyRequests)
            let retryAfter = try #require(refused.headers.first(name: "Retry-After").flatMap(Int.init))
            #expect((1...60).contains(retryAfter))
            #expect(try await Enquiry.query(on: app.db).count() == 3)
        }
    }

    @Test func oversizedBodyIs413AndNothingStored() async throws {
        try await withApp({ $0.intake.maxBodyBytes = 4096 }) { app in
            var fields = Self.valid
            fields["message"] = String(repeating: "z", count: 8000)
            let response = try await app.testing(method: .running(port: 0)).sendRequest(
                .POST, "/api/contact", headers: ["Content-Type": "application/json"], body: Self.json(fields))
            #expect(response.status == .payloadTooLarge)
            #expect(try await Enquiry.query(on: app.db).count() == 0)
        }
    }

    @Test func corsAllowsOnlyConfiguredOrigins() async throws {
        try await withApp({ $0.intake.corsAllowedOrigins = ["https://www.example.com"] }) { app in
            let preflight = try await app.testing().sendRequest(.OPTIONS, "/api/contact", headers: [
                "Origin": "https://www.example.com", "Access-Control-Request-Method": "POST"])
            #expect(preflight.headers.first(name: "Access-Control-Allow-Origin") == "https://www.example.com")

            var headers: HTTPHeaders = ["Content-Type": "application/json", "Origin": "https://evil.example"]
            let foreign = try await Self.post(app, Self.valid, headers: headers)
            #expect(foreign.headers.first(name: "Access-Control-Allow-Origin") != "https://evil.example")
            headers.replaceOrAdd(name: "Origin", value: "https://www.example.com")
            let allowed = try await Self.post(app, Self.valid, headers: headers)
            #expect(allowed.headers.first(name: "Access-Control-Allow-Origin") == "https://www.example.com")
        }
    }
}
