import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

@Suite("Health, headers and errors")
struct OperationsTests {
    @Test func healthAndReadiness() async throws {
        try await withApp { app in
            let live = try await app.testing().sendRequest(.GET, "/healthz")
            #expect(live.status == .ok)
            #expect(live.text == "ok")
            let ready = try await app.testing().sendRequest(.GET, "/readyz")
            #expect(ready.status == .ok)
            #expect(ready.text.contains("\"database\":\"ok\""))
        }
    }

    @Test("browsers and bookmarks find an icon: /favicon.ico and the pages' SVG one")
    func favicons() async throws {
        try await withApp { app in
            let ico = try await app.testing().sendRequest(.GET, "/favicon.ico")
            #expect(ico.status == .ok)
            #expect(ico.body.readableBytes > 0)
            #expect(ico.headers.contentType?.subType.contains("icon") == true)
            let svg = try await app.testing().sendRequest(.GET, "/favicon.svg")
            #expect(svg.status == .ok)
            #expect(svg.text.contains("<svg"))
            #expect(try await app.testing().sendRequest(.GET, "/contact").text.contains(#"<link rel="icon" href="/favicon.svg""#))
        }
    }

    @Test func securityHeadersOnPagesAndErrors() async throws {
        try await withApp { app in
            for path in ["/contact", "/no-such-page"] {
                let response = try await app.testing().sendRequest(.GET, path)
                #expect(response.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true, "\(path)")
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(response.headers.first(name: "Referrer-Policy") == "same-origin")
                #expect(response.headers.first(name: "Strict-Transport-Security") == nil)
            }
            let missing = try await app.testing().sendRequest(.GET, "/no-such-page")
            #expect(missing.status == .notFound)
            #expect(missing.text.contains("<title>404"))
        }
    }

    @Test func cookiesAreSecureBehindHTTPS() async throws {
        try await withApp({ $0.appURL = "https://leads.example.com" }) { app in
            try await app.createAdmin()
            let browser = Browser(app)
            let page = try await browser.get("/admin/login")
            let csrf = try #require(page.headers.setCookie?[CSRFMiddleware.cookieName(secure: true)])
            #expect(csrf.isSecure)
            #expect(csrf.isHTTPOnly)
            #expect(csrf.sameSite == .lax)
            #expect(page.headers.first(name: "Strict-Transport-Security") != nil)

            let signedIn = try await browser.post("/admin/login", form: ["email": "admin@example.com", "password": "correct horse battery"])
            let session = try #require(signedIn.headers.setCookie?["__Host-leadbridge_session"])
            #expect(session.isSecure)
            #expect(session.isHTTPOnly)
            #expect(session.sameSite == .lax)
        }
    }
}
