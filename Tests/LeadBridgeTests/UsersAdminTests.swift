import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

@Suite("Admin > Users")
struct UsersAdminTests {
    /// The link a page shows once, from its `readonly` field.
    static func link(in page: String) throws -> String {
        let start = try #require(page.range(of: "class=\"copy\" readonly value=\""))
        let rest = page[start.upperBound...]
        let url = String(rest[..<rest.firstIndex(of: "\"")!])
        return String(url[try #require(url.range(of: "/admin/password/"))!.lowerBound...])
    }

    @Test("an invited admin sets a password through a one-time link shown once; the database keeps only its hash")
    func invitationLinks() async throws {
        try await withApp { app in
            try await app.createAdmin()
            let owner = try await app.signedInBrowser()
            let added = try await owner.post("/admin/users", form: ["email": "Colleague@Example.com", "name": "Cole"])
            #expect(added.status == .ok)
            #expect(added.headers.first(name: .cacheControl) == "no-store")
            let path = try Self.link(in: added.text)
            let token = String(path.dropFirst("/admin/password/".count))
            let stored = try #require(try await UserToken.query(on: app.db).first())
            #expect(stored.tokenHash == PasswordLinks.hash(token) && stored.tokenHash != token)
            #expect(!(try await owner.get("/admin/users").text.contains(token)), "shown once, on the page that made it")
            #expect(try await owner.get("/admin/users").text.contains("invited, no password yet"))

            // Not yet able to sign in: there is no password to guess.
            let colleague = Browser(app)
            try await colleague.get("/admin/login")
            #expect(try await colleague.post("/admin/login", form: ["email": "colleague@example.com", "password": ""]).status == .unauthorized)

            let page = try await colleague.get(path)
            #expect(page.status == .ok && page.text.contains("colleague@example.com"))
            #expect(page.headers.first(name: "Referrer-Policy") == "no-referrer")
            let weak = try await colleague.post(path, form: ["password": "short", "password_confirmation": "short"])
            #expect(weak.status == .unprocessableEntity && weak.text.contains("at least 12"))
            let set = try await colleague.post(path, form: ["password": "colleague passphrase", "password_confirmation": "colleague passphrase"])
            #expect(set.location == "/admin")
            #expect(try await colleague.get("/admin").status == .ok)

            let again = try await Browser(app).get(path)
            #expect(again.status == .gone && again.text.contains("used already"))
            _ = try await app.signedInBrowser(email: "colleague@example.com", password: "colleague passphrase")
            #expect(try await owner.get("/admin/users").text.contains("colleague@example.com"))
        }
    }

    @Test func anExpiredOrUnknownLinkSaysSo() async throws {
        let clock = TestClock(Date())
        try await withApp(clock: AppClock { clock.now }) { app in
            try await app.createAdmin()
            let owner = try await app.signedInBrowser()
            let path = try Self.link(in: try await owner.post("/admin/users", form: ["email": "late@example.com"]).text)
            clock.advance(8 * 24 * 3600)
            let expired = try await Browser(app).get(path)
            #expect(expired.status == .gone && expired.text.contains("expired"))
            let forged = try await Browser(app).get("/admin/password/" + String(repeating: "A", count: 43))
            #expect(forged.status == .gone && forged.text.contains("not one LeadBridge made"))
        }
    }

    @Test("an admin added with a password signs in at once; a duplicate is refused in words")
    func addingWithAPassword() async throws {
        try await withApp { app in
            try await app.createAdmin()
            let owner = try await app.signedInBrowser()
            let added = try await owner.post("/admin/users", form: ["email": "b@example.com", "password": "bee passphrase here",
                                                                   "password_confirmation": "bee passphrase here"])
            #expect(added.location?.hasPrefix("/admin/users?notice=") == true)
            _ = try await app.signedInBrowser(email: "b@example.com", password: "bee passphrase here")
            let duplicate = try await owner.post("/admin/users", form: ["email": "B@example.com"])
            #expect(duplicate.status == .unprocessableEntity && duplicate.text.contains("is an admin already"))
        }
    }

    @Test("disabling ends the user's sessions at once and stops their sign-in; enabling lets them back")
    func disablingAndEnabling() async throws {
        try await withApp { app in
            let owner = try await app.createAdmin()
            let other = try await app.createAdmin(email: "other@example.com")
            let ownerBrowser = try await app.signedInBrowser()
            let otherBrowser = try await app.signedInBrowser(email: "other@example.com")

            #expect(try await ownerBrowser.post("/admin/users/\(owner.id!)/disable", form: [:]).status == .conflict,
                    "nobody disables themselves")
            let disabled = try await ownerBrowser.post("/admin/users/\(other.id!)/disable", form: [:])
            #expect(disabled.location?.contains("disabled") == true)
            #expect(try await otherBrowser.get("/admin").location?.hasPrefix("/admin/login") == true)
            let retry = Browser(app)
            try await retry.get("/admin/login")
            let refused = try await retry.post("/admin/login", form: ["email": "other@example.com", "password": "correct horse battery"])
            #expect(refused.status == .unauthorized && refused.text.contains("don&#39;t match"))
            #expect(try await otherBrowser.get("/admin/users").location?.hasPrefix("/admin/login") == true)

            try await ownerBrowser.post("/admin/users/\(other.id!)/enable", form: [:])
            let back = try await app.signedInBrowser(email: "other@example.com")
            try await ownerBrowser.post("/admin/users/\(other.id!)/disable", form: [:])
            #expect(try await back.get("/admin").location?.hasPrefix("/admin/login") == true)
        }
    }

    @Test("two admins disabling each other at the same moment: one wins, and someone can always sign in")
    func disablingEachOtherLeavesSomeone() async throws {
        try await withApp { app in
            let first = try await app.createAdmin()
            let second = try await app.createAdmin(email: "second@example.com")
            let firstBrowser = try await app.signedInBrowser()
            let secondBrowser = try await app.signedInBrowser(email: "second@example.com")
            async let one = firstBrowser.post("/admin/users/\(second.id!)/disable", form: [:])
            async let two = secondBrowser.post("/admin/users/\(first.id!)/disable", form: [:])
            _ = try await (one, two)
            #expect(try await User.query(on: app.db).filter(\.$disabledAt == nil).count() >= 1)
        }
    }

    @Test("a password reset link sets a new password and ends every session of that account")
    func passwordResets() async throws {
        try await withApp { app in
            try await app.createAdmin()
            let forgetful = try await app.createAdmin(email: "forgetful@example.com")
            let owner = try await app.signedInBrowser()
            let stillOpen = try await app.signedInBrowser(email: "forgetful@example.com")
            let made = try await owner.post("/admin/users/\(forgetful.id!)/reset", form: [:])
            #expect(made.text.contains("password reset link for forgetful@example.com"))
            let path = try Self.link(in: made.text)
            #expect(try await stillOpen.get("/admin").status == .ok, "the old password works until the reset is used")
            let browser = Browser(app)
            try await browser.get(path)
            #expect(try await browser.post(path, form: ["password": "a brand new passphrase", "password_confirmation": "a brand new passphrase"]).location == "/admin")
            #expect(try await stillOpen.get("/admin").location?.hasPrefix("/admin/login") == true)
            let old = Browser(app)
            try await old.get("/admin/login")
            #expect(try await old.post("/admin/login", form: ["email": "forgetful@example.com", "password": "correct horse battery"]).status == .unauthorized)
            #expect(try await owner.get("/admin/users").text.contains("forgetful@example.com"))
        }
    }

    @Test("making a password link is written to the audit log with who made it and for whom, never the link itself")
    func passwordLinksAreAudited() async throws {
        try await withApp { app in
            let owner = try await app.createAdmin()
            let forgetful = try await app.createAdmin(email: "forgetful@example.com")
            let browser = try await app.signedInBrowser()
            let reset = try await browser.post("/admin/users/\(forgetful.id!)/reset", form: [:])
            let resetToken = try #require(try Self.link(in: reset.text).split(separator: "/").last.map(String.init))
            let invited = try await browser.post("/admin/users", form: ["email": "new@example.com", "name": "New"])
            let inviteToken = try #require(try Self.link(in: invited.text).split(separator: "/").last.map(String.init))
            let newcomer = try #require(try await User.query(on: app.db).filter(\.$email == "new@example.com").first())

            let rows = try await IntegrationLog.query(on: app.db).filter(\.$provider == "leadbridge")
                .filter(\.$action == "password_link.created").sort(\.$id).all()
            try #require(rows.count == 2, "one row per link made")
            #expect(rows.map(\.relatedType) == ["user", "user"])
            #expect(rows.map(\.relatedID) == [forgetful.id, newcomer.id])
            let texts = rows.map { $0.payload?.text ?? "" }
            #expect(texts.allSatisfy { $0.contains("admin@example.com") && $0.contains("\(owner.id!)") }, "who made it: \(texts)")
            #expect(texts[0].contains("forgetful@example.com") && texts[0].contains("password reset"))
            #expect(texts[1].contains("new@example.com") && texts[1].contains("invitation"))
            for row in rows {
                let everything = [row.payload?.text, row.response?.text, row.errorMessage, row.requestID].compactMap { $0 }.joined()
                #expect(!everything.contains(resetToken) && !everything.contains(inviteToken), "the link is never logged")
            }
            #expect(try await browser.get("/admin/integration-logs?provider=leadbridge").text.contains("password_link.created"))
        }
    }
}
