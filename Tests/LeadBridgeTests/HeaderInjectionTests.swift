import AsyncHTTPClient
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// Issue #27: text from a request must never become a header of its response.
@Suite("No header injection")
struct HeaderInjectionTests {
    static func hasLineBreakOrNUL(_ headers: HTTPHeaders) -> Bool {
        headers.contains { name, value in
            (name + value).unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\0" }
        }
    }

    @Test("CR/LF in the sign-in's ?next= plants no header, over a real socket; the admin lands on /admin")
    func signInNextCannotPlantHeaders() async throws {
        try await withApp { app in
            try await app.createAdmin()
            // A real server and a client that reads headers off the wire and follows no redirect.
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let base = "http://127.0.0.1:\(try #require(app.http.server.shared.localAddress?.port))"
            func send(_ method: HTTPMethod, _ path: String, _ headers: [(String, String)], _ body: String? = nil) async throws -> HTTPClientResponse {
                var request = HTTPClientRequest(url: base + path)
                request.method = method
                for (name, value) in headers { request.headers.add(name: name, value: value) }
                if let body { request.body = .bytes(ByteBuffer(string: body)) }
                return try await ConsentPage.client.execute(request, timeout: .seconds(10))
            }
            let page = try await send(.GET, "/admin/login", [("Accept", "text/html")])
            let csrf = try #require(page.headers["Set-Cookie"].first { $0.hasPrefix("leadbridge_csrf=") }?
                .dropFirst("leadbridge_csrf=".count).split(separator: ";").first.map(String.init))
            let next = "/admin\r\nSet-Cookie: injected=1\r\nX-Injected: yes"
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._*")
            let body = "email=admin%40example.com&password=correct+horse+battery&_csrf=\(csrf)&next="
                + (next.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
            let signedIn = try await send(.POST, "/admin/login", [
                ("Cookie", "leadbridge_csrf=\(csrf)"), ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "text/html"),
            ], body)
            await app.server.shutdown()
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers["Location"] == ["/admin"])
            #expect(!signedIn.headers["Set-Cookie"].contains { $0.hasPrefix("injected=") }, "no cookie planted: \(signedIn.headers)")
            #expect(signedIn.headers["X-Injected"].isEmpty)
            #expect(signedIn.headers["Set-Cookie"].contains { $0.hasPrefix("leadbridge_session=") }, "the sign-in itself worked")
        }
    }

    @Test("?next= is kept only when it is an /admin path of URL-safe characters")
    func safeNextAcceptsOnlyAdminURLs() {
        #expect(AdminAuthController.safeNext("/admin") == "/admin")
        #expect(AdminAuthController.safeNext("/admin/submissions?page=2&status=failed") == "/admin/submissions?page=2&status=failed")
        #expect(AdminAuthController.safeNext("/admin/submissions/12") == "/admin/submissions/12")
        #expect(AdminAuthController.safeNext("/admin/submissions?q=ann%40example.com") == "/admin/submissions?q=ann%40example.com")
        for bad in ["/admin\r\nSet-Cookie: x=1", "/admin\nX: y", "/admin\0", "/admin/\u{7f}", "/admin/a b", "/admin/é",
                    "/administrator", "/adminx", "/admin/../metrics", "/admin/%2e%2e/metrics", "/admin/%2E%2e", "/admin/%zz",
                    "/admin/\"onmouseover", "/admin/<script>", "/admin//evil.example", "//evil.example/admin",
                    "https://evil.example/admin", "/admin\\evil", "", "admin"] {
            #expect(AdminAuthController.safeNext(bad) == "/admin", "\(bad.debugDescription)")
        }
    }

    @Test("a handler that emits CR, LF or NUL in a header: the header is dropped (a bad Location becomes the area's root), never a 500")
    func everyResponseHeaderIsChecked() async throws {
        try await withApp { app in
            app.get("admin", "test-bad-location") { _ -> Response in
                let response = Response(status: .seeOther)
                response.headers.replaceOrAdd(name: .location, value: "/admin/x\r\nSet-Cookie: injected=1")
                return response
            }
            app.get("test-bad-headers") { _ -> Response in
                let response = Response(status: .ok, body: "fine")
                response.headers.add(name: "X-Value", value: "a\r\nSet-Cookie: injected=1")
                response.headers.add(name: "X-Nul", value: "a\0b")
                response.headers.add(name: "X-Bad\r\nName", value: "b")
                response.headers.add(name: "X-Good", value: "kept\tas is")
                response.cookies["planted"] = HTTPCookies.Value(string: "v\r\nX-Evil: 1")
                return response
            }
            let redirect = try await app.testing().sendRequest(.GET, "/admin/test-bad-location")
            #expect(redirect.status == .seeOther)
            #expect(redirect.headers.first(name: .location) == "/admin")
            #expect(!Self.hasLineBreakOrNUL(redirect.headers))

            let page = try await app.testing().sendRequest(.GET, "/test-bad-headers")
            #expect(page.status == .ok)
            #expect(page.body.string == "fine")
            #expect(!Self.hasLineBreakOrNUL(page.headers), "\(page.headers)")
            #expect(page.headers.first(name: "X-Value") == nil && page.headers.first(name: "X-Nul") == nil)
            #expect(page.headers.first(name: "X-Good") == "kept\tas is")
            #expect(page.headers.first(name: "Content-Security-Policy") != nil, "the other headers are all there")
        }
    }
}
