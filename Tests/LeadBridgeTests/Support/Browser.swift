import Foundation
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// A browser for tests: keeps cookies between requests and fills in the CSRF field
/// the way a rendered form would.
final class Browser: @unchecked Sendable {
    let app: Application
    private(set) var cookies: [String: String] = [:]
    var headers: HTTPHeaders = [:]

    init(_ app: Application) { self.app = app }

    /// The `_csrf` value of the last page that had a form, as a browser would submit it
    /// (signed-in pages carry a token bound to the session, not the cookie's value).
    private(set) var formToken: String?
    var csrfToken: String? { formToken ?? csrfCookie }
    var csrfCookie: String? { cookies[CSRFMiddleware.cookieName(secure: false)] ?? cookies[CSRFMiddleware.cookieName(secure: true)] }

    @discardableResult
    func get(_ path: String, accept: String = "text/html") async throws -> TestingHTTPResponse {
        try await send(.GET, path, accept: accept)
    }

    /// Posts a form; `_csrf` is added from the cookie unless `withCSRF` is false.
    @discardableResult
    func post(_ path: String, form: [String: String], withCSRF: Bool = true,
              accept: String = "text/html") async throws -> TestingHTTPResponse {
        var fields = form
        if withCSRF, let token = csrfToken { fields[CSRFMiddleware.fieldName] = token }
        let body = fields.map { key, value in
            "\(Self.formEncode(key))=\(Self.formEncode(value))"
        }.joined(separator: "&")
        return try await send(.POST, path, accept: accept, contentType: "application/x-www-form-urlencoded",
                              body: ByteBuffer(string: body))
    }

    func send(_ method: HTTPMethod, _ path: String, accept: String, contentType: String? = nil,
              body: ByteBuffer? = nil) async throws -> TestingHTTPResponse {
        var requestHeaders = headers
        requestHeaders.replaceOrAdd(name: .accept, value: accept)
        if let contentType { requestHeaders.replaceOrAdd(name: .contentType, value: contentType) }
        if !cookies.isEmpty {
            requestHeaders.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        let response = try await app.testing().sendRequest(method, path, headers: requestHeaders, body: body)
        if let range = response.body.string.range(of: #"name="_csrf" value=""#) {
            let rest = response.body.string[range.upperBound...]
            formToken = rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
        for (name, value) in response.headers.setCookie?.all ?? [:] {
            if value.expires.map({ $0 < Date() }) == true || value.string.isEmpty { cookies[name] = nil }
            else { cookies[name] = value.string }
        }
        return response
    }

    private static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return (text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
    }
}

extension Application {
    /// Creates an admin directly in the database (as `leadbridge user create` would).
    @discardableResult
    func createAdmin(email: String = "admin@example.com", password: String = "correct horse battery") async throws -> User {
        let user = User(email: email, name: "Admin", passwordHash: try await self.password.async.hash(password))
        try await user.create(on: db)
        return user
    }

    /// Signs a fresh browser in as an admin.
    func signedInBrowser(email: String = "admin@example.com", password: String = "correct horse battery") async throws -> Browser {
        let browser = Browser(self)
        try await browser.get("/admin/login")
        let response = try await browser.post("/admin/login", form: ["email": email, "password": password])
        #expect(response.status == .seeOther)
        // Follows the redirect, as a browser does: the page holds the session's form token.
        try await browser.get(response.location ?? "/admin")
        return browser
    }
}

extension TestingHTTPResponse {
    var text: String { body.string }
    var location: String? { headers.first(name: .location) }

    /// Where a "moving you on" page sends the browser: its `id="onward"` link (the same
    /// address as its meta refresh), with the HTML escaping undone.
    var onward: String? {
        guard let range = text.range(of: #"id="onward" href="([^"]*)""#, options: .regularExpression) else { return nil }
        let attribute = text[range].dropFirst(#"id="onward" href=""#.count).dropLast()
        return attribute.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
