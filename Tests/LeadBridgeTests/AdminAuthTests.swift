import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

@Suite("Admin sign-in and access")
struct AdminAuthTests {
    /// Every admin route except the sign-in and first-run pages, with parameters filled in.
    static func protectedRoutes(_ app: Application) -> [(HTTPMethod, String)] {
        app.routes.all.compactMap { route in
            let parts = route.path.map { component -> String in
                if case .parameter = component { return "1" }
                return component.description
            }
            guard parts.first == "admin", !["login", "setup", "password"].contains(parts.dropFirst().first ?? "") else { return nil }
            return (route.method, "/" + parts.joined(separator: "/"))
        }
    }

    @Test func everyAdminRouteRefusesAStranger() async throws {
        try await withApp { app in
            try await app.createAdmin()
            let routes = Self.protectedRoutes(app)
            #expect(routes.count >= 4)
            for (method, path) in routes {
                let browser = Browser(app)
                try await browser.get("/admin/login")  // a CSRF cookie, so only the sign-in check is left
                let page = method == .GET ? try await browser.get(path) : try await browser.post(path, form: [:])
                #expect(page.status == .seeOther, "\(method) \(path)")
                #expect(page.location?.hasPrefix("/admin/login") == true, "\(method) \(path)")

                let json = method == .GET ? try await browser.get(path, accept: "application/json")
                                          : try await browser.post(path, form: [:], accept: "application/json")
                #expect(json.status == .unauthorized, "\(method) \(path)")
            }
        }
    }

    @Test func firstRunLeadsToSetupWhichClosesOnceAnAdminExists() async throws {
        try await withApp { app in
            let browser = Browser(app)
            #expect(try await browser.get("/admin").location?.hasPrefix("/admin/login") == true)
            #expect(try await browser.get("/admin/login").location == "/admin/setup")
            #expect(try await browser.get("/admin/setup").status == .ok)

            let weak = try await browser.post("/admin/setup", form: [
                "email": "owner@example.com", "password": "short", "password_confirmation": "short"])
            #expect(weak.status == .unprocessableEntity)
            #expect(try await User.query(on: app.db).count() == 0)

            let created = try await browser.post("/admin/setup", form: [
                "email": "Owner@Example.com", "name": "Owner",
                "password": "a long enough passphrase", "password_confirmation": "a long enough passphrase"])
            #expect(created.location == "/admin")
            #expect(try await browser.get("/admin").status == .ok)
            #expect(try await User.query(on: app.db).first()?.email == "owner@example.com")

            let late = Browser(app)
            #expect(try await late.get("/admin/setup").location == "/admin/login")
            try await late.get("/admin/login")
            _ = try await late.post("/admin/setup", form: [
                "email": "intruder@example.com", "password": "another long passphrase",
                "password_confirmation": "another long passphrase"])
            #expect(try await User.query(on: app.db).count() == 1)
        }
    }

    /// SQLite in WAL mode refuses to turn a reading transaction into a writing one once another
    /// connection has committed (SQLITE_BUSY_SNAPSHOT, no waiting): the setup form answered 500
    /// in a browser while the job workers wrote. Every racer gets an answer, and one admin exists.
    @Test func setupRacingOtherWritersNeverFails() async throws {
        try await withApp { app in
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        try await FirstAdmin.create(email: "racer\(index)@example.com", name: nil,
                                                    passwordHash: "x", on: app.db) != nil
                    }
                    group.addTask {
                        // Another writer committing meanwhile, as the queue and sessions do.
                        try await app.db.transaction { tx in
                            try await (tx as! any SQLDatabase).raw("""
                                INSERT INTO scheduled_tasks (name, last_period, updated_at)
                                VALUES (\(bind: "race-\(index)"), 0, \(bind: Date()))
                                """).run()
                        }
                        return false
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await User.query(on: app.db).count() == 1)
        }
    }

    @Test func signInWorksAndSignOutEndsTheSession() async throws {
        try await withApp { app in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let dashboard = try await browser.get("/admin")
            #expect(dashboard.status == .ok)
            #expect(dashboard.text.contains("Dashboard"))
            #expect(try await StoredSession.query(on: app.db).count() == 1)

            #expect(try await browser.post("/admin/logout", form: [:]).location == "/admin/login")
            #expect(try await browser.get("/admin").location?.hasPrefix("/admin/login") == true)
            #expect(try await StoredSession.query(on: app.db).count() == 0)
        }
    }

    @Test func signInStartsANewSessionAndCSRFSecret() async throws {
        try await withApp { app in
            try await app.createAdmin()
            let browser = Browser(app)
            try await browser.get("/admin/login")
            let tokenBefore = browser.csrfToken
            try await browser.post("/admin/login", form: ["email": "admin@example.com", "password": "correct horse battery"])
            #expect(browser.csrfCookie != tokenBefore, "the cookie secret was replaced")
            #expect(browser.cookies["leadbridge_session"] != nil)
            try await browser.get("/admin")
            #expect(browser.csrfToken != nil)
            #expect(browser.csrfToken != tokenBefore)
        }
    }

    @Test func wrongPasswordAndUnknownEmailGetTheSameAnswer() async throws {
        try await withApp { app in
            try await app.createAdmin()
            let browser = Browser(app)
            try await browser.get("/admin/login")
            let wrong = try await browser.post("/admin/login", form: ["email": "admin@example.com", "password": "nope nope nope"])
            let unknown = try await browser.post("/admin/login", form: ["email": "who@example.com", "password": "nope nope nope"])
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(wrong.text.contains("don&#39;t match"))
            #expect(unknown.text.contains("don&#39;t match"))
            let afterwards = try await browser.get("/admin")
            #expect(afterwards.status == .seeOther)
        }
    }

    @Test func signInWithoutCSRFTokenIsRefused() async throws {
        try await withApp { app in
            try await app.createAdmin()
            let browser = Browser(app)
            try await browser.get("/admin/login")
            let response = try await browser.post("/admin/login", form: [
                "email": "admin@example.com", "password": "correct horse battery"], withCSRF: false)
            #expect(response.status == .forbidden)
            #expect(try await browser.get("/admin").status == .seeOther)
        }
    }

    @Test func accountLocksAfterRepeatedFailuresEvenForTheRightPassword() async throws {
        try await withApp({ $0.loginThrottle.maxFailuresPerAccount = 3 }) { app in
            try await app.createAdmin()
            for attempt in 0..<3 {
                let browser = Browser(app)
                browser.headers.replaceOrAdd(name: .xForwardedFor, value: "10.0.0.\(attempt)")
                try await browser.get("/admin/login")
                #expect(try await browser.post("/admin/login", form: ["email": "admin@example.com", "password": "wrong password!"]).status == .unauthorized)
            }
            let browser = Browser(app)
            try await browser.get("/admin/login")
            let locked = try await browser.post("/admin/login", form: ["email": "admin@example.com", "password": "correct horse battery"])
            // Refused exactly as a wrong password is: a lock must not tell a guesser the account exists.
            #expect(locked.status == .unauthorized)
            #expect(locked.text.contains("don&#39;t match"))
            #expect(app.services.signInChecks.passwordChecks == 3, "the right password was never checked")
        }
    }

    /// The lock runs out on the app's clock: the test moves it instead of waiting.
    @Test func aLockedAccountOpensAgainOnceTheLockRunsOut() async throws {
        let clock = TestClock(Date())
        try await withApp(clock: AppClock { clock.now }, { $0.loginThrottle.maxFailuresPerAccount = 2 }) { app in
            try await app.createAdmin()
            let browser = Browser(app)
            try await browser.get("/admin/login")
            for _ in 0..<2 {
                #expect(try await browser.post("/admin/login", form: ["email": "admin@example.com", "password": "wrong password!"]).status == .unauthorized)
            }
            let right = ["email": "admin@example.com", "password": "correct horse battery"]
            #expect(try await browser.post("/admin/login", form: right).status == .unauthorized)
            clock.advance(TimeInterval(app.services.config.loginThrottle.lockSeconds - 5))
            #expect(try await browser.post("/admin/login", form: right).status == .unauthorized)
            clock.advance(10)
            #expect(try await browser.post("/admin/login", form: right).status == .seeOther)
        }
    }

    /// Sessions end after twelve idle hours, and each visit starts the twelve hours again.
    @Test func aSessionIdleForTwelveHoursEnds() async throws {
        let clock = TestClock(Date())
        try await withApp(clock: AppClock { clock.now }) { app in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            clock.advance(11 * 3600)
            #expect(try await browser.get("/admin").status == .ok)
            clock.advance(11 * 3600)
            #expect(try await browser.get("/admin").status == .ok, "the last visit started the twelve hours again")
            clock.advance(12 * 3600 + 60)
            #expect(try await browser.get("/admin").location?.hasPrefix("/admin/login") == true)
        }
    }

    @Test func oneAddressIsThrottledAcrossAccounts() async throws {
        try await withApp({ $0.loginThrottle.maxFailuresPerIP = 2; $0.trustProxyHeaders = true }) { app in
            try await app.createAdmin()
            let browser = Browser(app)
            browser.headers.replaceOrAdd(name: .xForwardedFor, value: "203.0.113.9")
            try await browser.get("/admin/login")
            for email in ["a@example.com", "b@example.com"] {
                #expect(try await browser.post("/admin/login", form: ["email": email, "password": "guess guess guess"]).status == .unauthorized)
            }
            let refused = try await browser.post("/admin/login", form: ["email": "admin@example.com", "password": "correct horse battery"])
            #expect(refused.status == .tooManyRequests)

            let elsewhere = Browser(app)
            elsewhere.headers.replaceOrAdd(name: .xForwardedFor, value: "198.51.100.7")
            try await elsewhere.get("/admin/login")
            #expect(try await elsewhere.post("/admin/login", form: ["email": "admin@example.com", "password": "correct horse battery"]).status == .seeOther)
        }
    }

    @Test func nextParameterNeverLeavesTheAdmin() {
        #expect(AdminAuthController.safeNext("/admin/submissions?page=2") == "/admin/submissions?page=2")
        #expect(AdminAuthController.safeNext("https://evil.example/admin") == "/admin")
        #expect(AdminAuthController.safeNext("//evil.example") == "/admin")
        #expect(AdminAuthController.safeNext("/admin\\@evil") == "/admin")
        #expect(AdminAuthController.safeNext(nil) == "/admin")
    }

    @Test func submissionsCanBeListedFilteredSearchedAndOpened() async throws {
        try await withApp { app in
            try await app.createAdmin()
            for (name, email, phone) in [("Ada", "ada@example.com", "+14155550100"), ("Bob", "bob@example.com", "+442079460958")] {
                let row = Enquiry()
                row.firstName = name; row.email = email; row.phone = phone; row.source = "website"
                row.consent = true; row.status = name == "Ada" ? .synced : .pending
                try await row.create(on: app.db)
            }
            let browser = try await app.signedInBrowser()
            let all = try await browser.get("/admin/submissions")
            #expect(all.text.contains("ada@example.com"))
            #expect(all.text.contains("bob@example.com"))
            let synced = try await browser.get("/admin/submissions?status=synced")
            #expect(synced.text.contains("ada@example.com"))
            #expect(!synced.text.contains("bob@example.com"))
            let byName = try await browser.get("/admin/submissions?q=BOB")
            #expect(byName.text.contains("bob@example.com"))
            #expect(!byName.text.contains("ada@example.com"))
            let byPhone = try await browser.get("/admin/submissions?q=415%20555")
            #expect(byPhone.text.contains("ada@example.com"))
            #expect(!byPhone.text.contains("bob@example.com"))

            let ada = try #require(try await Enquiry.query(on: app.db).filter(\.$firstName == "Ada").first())
            let detail = try await browser.get("/admin/submissions/\(ada.id!)")
            #expect(detail.status == .ok)
            #expect(detail.text.contains("+14155550100"))
            #expect(try await browser.get("/admin/submissions/999999").status == .notFound)

            let dashboard = try await browser.get("/admin")
            #expect(dashboard.text.contains("ada@example.com"))
        }
    }
}
