import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// Issue #27: a visitor who is not signed in costs no session row, whatever cookie they invent.
@Suite("No session row without a session")
struct AnonymousSessionTests {
    @Test("1,000 anonymous requests with invented session cookies write no session row; signing in still makes one")
    func inventedCookiesWriteNoRows() async throws {
        // One address sends them all: its sign-in limit is not what this test is about.
        try await withApp({ $0.loginThrottle.maxFailuresPerIP = 10_000 }) { app in
            try await app.createAdmin()
            let visitor = Browser(app)
            try await visitor.get("/admin/login")
            let csrf = try #require(visitor.csrfToken)
            let targets: [(HTTPMethod, String)] = [(.GET, "/admin/login"), (.GET, "/admin"), (.GET, "/admin/submissions"),
                                                   (.POST, "/admin/login"), (.GET, "/admin/setup"), (.POST, "/admin/logout")]
            for batch in 0..<50 {
                try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                    for index in 0..<20 {
                        let (method, path) = targets[(batch * 20 + index) % targets.count]
                        group.addTask {
                            let headers: HTTPHeaders = [
                                "Cookie": "leadbridge_session=\(SecureToken.make()); leadbridge_csrf=\(csrf)",
                                "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html",
                            ]
                            let body = method == .POST ? ByteBuffer(string: "email=nobody%40example.com&password=guess+guess+guess&_csrf=\(csrf)") : nil
                            return try await app.testing().sendRequest(method, path, headers: headers, body: body).status
                        }
                    }
                    for try await status in group { #expect(status.code < 500) }
                }
            }
            let rows = try await StoredSession.query(on: app.db).count()
            #expect(rows == 0, "no row for a cookie that names no session: \(rows) rows after 1,000 requests")

            let browser = try await app.signedInBrowser()
            #expect(try await browser.get("/admin").status == .ok)
            #expect(try await StoredSession.query(on: app.db).count() == 1, "a sign-in is a session")
            #expect(try await browser.post("/admin/logout", form: [:]).location == "/admin/login")
            #expect(try await StoredSession.query(on: app.db).count() == 0)
        }
    }

    @Test("an invented session cookie is answered with an expired one, so the browser stops sending it")
    func inventedCookieIsCleared() async throws {
        try await withApp { app in
            try await app.createAdmin()
            let response = try await app.testing().sendRequest(.GET, "/admin/login", headers: ["Cookie": "leadbridge_session=made-up"])
            let cleared = try #require(response.headers.setCookie?["leadbridge_session"])
            #expect(cleared.expires.map { $0 < Date() } == true || cleared.maxAge == 0)
            #expect(try await StoredSession.query(on: app.db).count() == 0)
        }
    }

    @Test("the public contact form keeps its double-submit CSRF cookie, and makes no session")
    func contactFormCSRFStillHolds() async throws {
        try await withApp { app in
            let browser = Browser(app)
            try await browser.get("/contact")
            #expect(try await browser.post("/contact", form: ContactFormTests.valid, withCSRF: false).status == .forbidden)
            var wrong = ContactFormTests.valid
            wrong[CSRFMiddleware.fieldName] = SecureToken.make()
            #expect(try await browser.post("/contact", form: wrong, withCSRF: false).status == .forbidden)
            #expect(try await browser.post("/contact", form: ContactFormTests.valid).location == "/contact/thanks")
            #expect(try await StoredSession.query(on: app.db).count() == 0)
        }
    }
}
