import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// Sign-in under attack: guesses in parallel, forged proxy headers, account discovery,
/// and lock-out used as a weapon against the real owner.
@Suite("Sign-in under attack")
struct SignInDefenceTests {
    static let right = "correct horse battery"

    /// Sends `count` sign-ins at once from one browser's cookies, as a script would.
    static func burst(_ app: Application, count: Int, forwardedFor: String,
                      form: @escaping @Sendable (Int) -> [String: String]) async throws -> [HTTPStatus] {
        let browser = Browser(app)
        browser.headers.replaceOrAdd(name: .xForwardedFor, value: forwardedFor)
        try await browser.get("/admin/login")
        let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        let token = try #require(browser.csrfToken)
        return try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
            for index in 0..<count {
                group.addTask {
                    var fields = form(index)
                    fields[CSRFMiddleware.fieldName] = token
                    let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                        .joined(separator: "&")
                    let headers: HTTPHeaders = ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
                                                "Accept": "text/html", "X-Forwarded-For": forwardedFor]
                    return try await app.testing().sendRequest(.POST, "/admin/login", headers: headers, body: ByteBuffer(string: body)).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test("50 parallel wrong passwords for one account from one address: only the allowed number reach the password check")
    func parallelGuessesAreCountedBeforeTheHash() async throws {
        // 50 at once is past bcrypt's line (SignInFloodTests); here every one must reach the limits.
        try await withApp({ $0.trustProxyHeaders = true; $0.loginThrottle.maxFailuresPerAccount = 5
                            $0.loginThrottle.maxFailuresPerIP = 1000; $0.passwordCheckCeiling = 100 }) { app in
            try await app.createAdmin()
            // The owner has signed in before, from their office.
            let owner = Browser(app)
            owner.headers.replaceOrAdd(name: .xForwardedFor, value: "198.51.100.7")
            try await owner.get("/admin/login")
            #expect(try await owner.post("/admin/login", form: ["email": "admin@example.com", "password": Self.right]).status == .seeOther)
            try await owner.get("/admin")
            try await owner.post("/admin/logout", form: [:])
            let checksBefore = app.services.signInChecks.passwordChecks

            let statuses = try await Self.burst(app, count: 50, forwardedFor: "203.0.113.5") { _ in
                ["email": "admin@example.com", "password": "wrong guess \(Int.random(in: 0..<1000))"]
            }
            #expect(statuses.allSatisfy { $0 == .unauthorized })
            #expect(app.services.signInChecks.passwordChecks - checksBefore == 5, "every attempt after the fifth was refused unchecked")

            // The right password from that address is refused too; from the owner's own address it works.
            let attacker = Browser(app)
            attacker.headers.replaceOrAdd(name: .xForwardedFor, value: "203.0.113.5")
            try await attacker.get("/admin/login")
            #expect(try await attacker.post("/admin/login", form: ["email": "admin@example.com", "password": Self.right]).status == .unauthorized)
            try await owner.get("/admin/login")
            #expect(try await owner.post("/admin/login", form: ["email": "admin@example.com", "password": Self.right]).status == .seeOther)
        }
    }

    @Test("one address guessing many accounts in parallel is stopped at its limit before the hash")
    func parallelGuessesAcrossAccountsHitTheAddressLimit() async throws {
        try await withApp({ $0.trustProxyHeaders = true; $0.loginThrottle.maxFailuresPerIP = 20; $0.passwordCheckCeiling = 100 }) { app in
            try await app.createAdmin()
            let statuses = try await Self.burst(app, count: 50, forwardedFor: "203.0.113.6") { index in
                ["email": "user\(index)@example.com", "password": "guess guess guess"]
            }
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 30)
            #expect(app.services.signInChecks.hashChecks == 20, "no bcrypt at all for the 30 refused")
        }
    }

    @Test("behind a proxy the address is the hop the proxy appended: a rotating forged X-Forwarded-For escapes no limit")
    func forgedForwardedForDoesNotEscapeTheLimits() async throws {
        try await withApp({ $0.trustProxyHeaders = true; $0.loginThrottle.maxFailuresPerIP = 2
                            $0.intake.rateLimit = 2 }) { app in
            try await app.createAdmin()
            let browser = Browser(app)
            try await browser.get("/admin/login")
            var statuses: [HTTPStatus] = []
            for attempt in 0..<3 {
                browser.headers.replaceOrAdd(name: .xForwardedFor, value: "10.9.\(attempt).1, 198.51.100.20")
                statuses.append(try await browser.post("/admin/login", form: ["email": "x\(attempt)@example.com", "password": "guess guess guess"]).status)
            }
            #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests])

            var intake: [HTTPStatus] = []
            for attempt in 0..<3 {
                let body = #"{"first_name":"Ada","email":"ada\#(attempt)@example.com","message":"Hi","consent":true}"#
                intake.append(try await app.testing().sendRequest(.POST, "/api/contact", headers: [
                    "Content-Type": "application/json", "X-Forwarded-For": "10.8.\(attempt).1, 198.51.100.21",
                ], body: ByteBuffer(string: body)).status)
            }
            #expect(intake == [.created, .created, .tooManyRequests])
        }
    }

    @Test func theTrustedHopCountPicksTheAddressTheOutermostTrustedProxySaw() async throws {
        try await withApp({ $0.trustProxyHeaders = true; $0.trustedProxyHops = 2 }) { app in
            let request = Request(application: app, headers: ["X-Forwarded-For": "6.6.6.6, 203.0.113.50, 10.0.0.2"], on: app.eventLoopGroup.any())
            #expect(request.clientIP(config: app.services.config) == "203.0.113.50")
            let short = Request(application: app, headers: ["X-Forwarded-For": "10.0.0.2"], on: app.eventLoopGroup.any())
            #expect(short.clientIP(config: app.services.config) == "10.0.0.2", "fewer hops than configured: the leftmost there is")
        }
    }

    @Test("unknown account, wrong password and a locked-out address get the same sentence and the same time")
    func noAccountDiscovery() async throws {
        try await withApp({ $0.trustProxyHeaders = true; $0.loginThrottle.maxFailuresPerAccount = 3
                            $0.loginThrottle.maxFailuresPerIP = 1000; $0.passwordHashCost = 10 }) { app in
            try await app.createAdmin()
            let browser = Browser(app)
            browser.headers.replaceOrAdd(name: .xForwardedFor, value: "203.0.113.7")
            try await browser.get("/admin/login")
            func attempt(_ email: String, _ password: String) async throws -> (HTTPStatus, String, Double) {
                let started = DispatchTime.now().uptimeNanoseconds
                let response = try await browser.post("/admin/login", form: ["email": email, "password": password])
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
                let sentence = response.text.components(separatedBy: "class=\"alert\"").dropFirst().first?
                    .components(separatedBy: "</").first ?? ""
                return (response.status, sentence, elapsed)
            }
            // Lock this address out of the account first (3 wrong passwords), then time the three cases.
            let locked = "locked@example.com"
            try await app.createAdmin(email: locked)
            for _ in 0..<3 { _ = try await attempt(locked, "wrong password!") }
            var answers: Set<String> = []
            /// 20 tries of each, interleaved; the medians of each path's times.
            func measure() async throws -> [String: Double] {
                var times: [String: [Double]] = [:]
                for _ in 0..<20 {
                    // A fresh order each round, so whatever else the machine does falls on all three alike.
                    for (name, email, password) in [("unknown", "nobody@example.com", "wrong password!"),
                                                    ("wrong", "admin@example.com", "wrong password!"),
                                                    ("locked", locked, Self.right)].shuffled() {
                        let (status, sentence, elapsed) = try await attempt(email, password)
                        times[name, default: []].append(elapsed)
                        answers.insert("\(status.code) \(sentence)")
                    }
                    // Keep the wrong-password account below its own lock-out.
                    try await User.query(on: app.db).filter(\.$email == "admin@example.com").set(\.$failedLoginAttempts, to: 0).update()
                    let ip = "203.0.113.7"
                    try await RateCounter.query(on: app.db).filter(\.$id ~~ [
                        LoginAttemptKeys.pair("admin@example.com", ip: ip), LoginAttemptKeys.account("admin@example.com"),
                        LoginAttemptKeys.pair("nobody@example.com", ip: ip), LoginAttemptKeys.account("nobody@example.com"),
                    ]).delete()
                }
                return times.mapValues { $0.sorted()[$0.count / 2] }
            }
            // The suite runs tests in parallel, and a burst of other work can land on one path's
            // tries: up to three measurements, passing when one has its medians within 10 %. A
            // real difference (before this fix a throttled account answered 20 times faster)
            // fails all three.
            var measurements: [[String: Double]] = []
            for _ in 0..<3 {
                let medians = try await measure()
                measurements.append(medians)
                if medians.values.max()! <= medians.values.min()! * 1.10 { break }
            }
            #expect(answers.count == 1, "one answer for all three: \(answers)")
            let last = measurements.last!
            #expect(last.values.max()! <= last.values.min()! * 1.10, "medians within 10 %: \(measurements)")
        }
    }

    @Test("an attack from many addresses slows the account but never keeps its owner out of a browser they signed in with")
    func theOwnerIsNeverLockedOut() async throws {
        let clock = TestClock(Date())
        try await withApp(clock: AppClock { clock.now }, { $0.trustProxyHeaders = true; $0.loginThrottle.maxAttemptsPerAccountPerMinute = 10 }) { app in
            try await app.createAdmin()
            // The owner signed in before with this browser, at the office.
            let laptop = Browser(app)
            laptop.headers.replaceOrAdd(name: .xForwardedFor, value: "198.51.100.1")
            try await laptop.get("/admin/login")
            #expect(try await laptop.post("/admin/login", form: ["email": "admin@example.com", "password": Self.right]).status == .seeOther)
            #expect(laptop.cookies["leadbridge_device"] != nil)
            try await laptop.get("/admin")
            try await laptop.post("/admin/logout", form: [:])
            let checksBefore = app.services.signInChecks.passwordChecks

            // A botnet: a new address for every guess, far past the account's budget, and still going.
            func guess(_ bot: Int) async throws {
                let browser = Browser(app)
                browser.headers.replaceOrAdd(name: .xForwardedFor, value: "192.0.2.\(bot % 250)")
                try await browser.get("/admin/login")
                try await browser.post("/admin/login", form: ["email": "admin@example.com", "password": "guess \(bot) guess"])
            }
            for bot in 0..<30 { try await guess(bot) }
            #expect(app.services.signInChecks.passwordChecks - checksBefore == 10, "the account's budget slowed the guessing")

            // Mid-attack, from a hotel's address the account has never used: the owner's laptop gets in.
            laptop.headers.replaceOrAdd(name: .xForwardedFor, value: "203.0.113.99")
            try await laptop.get("/admin/login")
            #expect(try await laptop.post("/admin/login", form: ["email": "admin@example.com", "password": Self.right]).status == .seeOther)

            // A browser that never signed in waits while the attack lasts, a minute at a time.
            let borrowed = Browser(app)
            borrowed.headers.replaceOrAdd(name: .xForwardedFor, value: "203.0.113.100")
            try await borrowed.get("/admin/login")
            for bot in 30..<45 { try await guess(bot) }
            #expect(try await borrowed.post("/admin/login", form: ["email": "admin@example.com", "password": Self.right]).status == .unauthorized)
            clock.advance(61)
            #expect(try await borrowed.post("/admin/login", form: ["email": "admin@example.com", "password": Self.right]).status == .seeOther)
        }
    }

    @Test("sign out everywhere, or a password reset, and a browser that signed in before is a new one to the account's budget")
    func knownBrowsersAreForgotten() async throws {
        let clock = TestClock(Date())
        try await withApp(clock: AppClock { clock.now }, { $0.trustProxyHeaders = true; $0.loginThrottle.maxAttemptsPerAccountPerMinute = 3 }) { app in
            let admin = try await app.createAdmin()
            func browser(_ address: String) async throws -> Browser {
                let browser = Browser(app)
                browser.headers.replaceOrAdd(name: .xForwardedFor, value: address)
                try await browser.get("/admin/login")
                return browser
            }
            /// Signs in and, when it worked, out again (unless `stay`): only the known-browser cookie is left.
            func signIn(_ browser: Browser, _ password: String = Self.right, stay: Bool = false) async throws -> HTTPStatus {
                try await browser.get("/admin/login")
                let status = try await browser.post("/admin/login", form: ["email": "admin@example.com", "password": password]).status
                if status == .seeOther, !stay {
                    try await browser.get("/admin")
                    try await browser.post("/admin/logout", form: [:])
                }
                return status
            }
            func botnet(_ range: Range<Int>) async throws {
                for bot in range { _ = try await signIn(try await browser("192.0.2.\(bot % 250)"), "guess \(bot) guess") }
            }
            let laptop = try await browser("198.51.100.1")
            let phone = try await browser("198.51.100.2")
            #expect(try await signIn(laptop) == .seeOther)
            #expect(try await signIn(phone, stay: true) == .seeOther)
            try await botnet(0..<5)
            #expect(try await signIn(laptop) == .seeOther, "a known browser is exempt from the account's budget")

            // The phone was lost: sign out everywhere, from the phone itself.
            try await phone.get("/admin")
            #expect(try await phone.post("/admin/logout-everywhere", form: [:]).status == .seeOther)
            try await botnet(5..<10)
            #expect(try await signIn(laptop) == .unauthorized, "after sign out everywhere the laptop's cookie counts for nothing")
            #expect(try await signIn(phone) == .unauthorized, "nor does the lost phone's")
            clock.advance(61)
            #expect(try await signIn(laptop) == .seeOther, "a new sign-in makes it known again")
            try await botnet(10..<15)
            #expect(try await signIn(laptop, stay: true) == .seeOther)

            // A password reset does the same.
            try await laptop.get("/admin/users")
            let made = try await laptop.post("/admin/users/\(admin.id!)/reset", form: [:])
            let path = try UsersAdminTests.link(in: made.text)
            let elsewhere = try await browser("203.0.113.77")
            try await elsewhere.get(path)
            #expect(try await elsewhere.post(path, form: ["password": "a brand new passphrase", "password_confirmation": "a brand new passphrase"]).location == "/admin")
            try await elsewhere.get("/admin")
            try await elsewhere.post("/admin/logout", form: [:])
            clock.advance(61)
            try await botnet(15..<20)
            #expect(try await signIn(laptop, "a brand new passphrase") == .unauthorized, "after a reset the old cookie counts for nothing")
            #expect(try await signIn(elsewhere, "a brand new passphrase") == .seeOther, "the browser that set the password is known")
        }
    }

    @Test("addresses are counted as one client each: no port, IPv4 written as IPv6 is IPv4, IPv6 counts by its /64")
    func addressesAreNormalised() async throws {
        #expect(ClientAddress.normalize("203.0.113.9:51234") == "203.0.113.9")
        #expect(ClientAddress.normalize("[2001:db8::1]:443") == "2001:db8:0:0:0:0:0:1")
        #expect(ClientAddress.normalize("::ffff:203.0.113.9") == "203.0.113.9")
        #expect(ClientAddress.normalize("2001:DB8::1") == "2001:db8:0:0:0:0:0:1")
        #expect(ClientAddress.normalize("not an address") == "not an address")
        #expect(ClientAddress.limitKey("2001:db8:1:2:aaaa::1") == ClientAddress.limitKey("2001:db8:1:2:ffff:ffff:ffff:ffff"))
        #expect(ClientAddress.limitKey("2001:db8:1:2::1") != ClientAddress.limitKey("2001:db8:1:3::1"))
        #expect(ClientAddress.limitKey("203.0.113.9") == "203.0.113.9")

        try await withApp({ $0.trustProxyHeaders = true; $0.loginThrottle.maxFailuresPerIP = 2 }) { app in
            let browser = Browser(app)
            try await browser.get("/admin/login")
            var statuses: [HTTPStatus] = []
            for (attempt, hop) in ["2001:db8:5:6::1", "2001:db8:5:6::2", "[2001:db8:5:6::3]:4431"].enumerated() {
                browser.headers.replaceOrAdd(name: .xForwardedFor, value: hop)
                statuses.append(try await browser.post("/admin/login", form: ["email": "v6-\(attempt)@example.com", "password": "guess guess guess"]).status)
            }
            #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests], "one /64 is one client")
        }
    }

    @Test("a password longer than the 72 bytes bcrypt reads is refused, counted in bytes, not characters")
    func passwordsAreMeasuredInBytes() {
        let emoji = String(repeating: "🔐", count: 20)  // 20 characters, 80 bytes
        guard case .invalid(let errors) = AdminAccountRules.validate(email: "a@example.com", password: emoji, confirmation: emoji) else {
            Issue.record("a password bcrypt would cut short was accepted"); return
        }
        #expect(errors["password"]?.contains("72 bytes") == true)
        let fine = String(repeating: "é", count: 36)  // 72 bytes
        guard case .valid = AdminAccountRules.validate(email: "a@example.com", password: fine, confirmation: fine) else {
            Issue.record("72 bytes is allowed"); return
        }
    }
}

@Suite("First run")
struct FirstRunDefenceTests {
    static let setup = ["email": "owner@example.com", "name": "Owner", "password": "a long enough passphrase",
                        "password_confirmation": "a long enough passphrase"]

    @Test("a closed setup page refuses before hashing anything, and one address cannot hammer it")
    func closedSetupCostsNoHash() async throws {
        try await withApp({ $0.trustProxyHeaders = true; $0.loginThrottle.maxFailuresPerIP = 3 }) { app in
            let browser = Browser(app)
            browser.headers.replaceOrAdd(name: .xForwardedFor, value: "203.0.113.40")
            try await browser.get("/admin/setup")
            // Setup is open: wrong input is refused (counted), then the limit holds.
            var statuses: [HTTPStatus] = []
            for _ in 0..<4 {
                statuses.append(try await browser.post("/admin/setup", form: ["email": "x", "password": "short"]).status)
            }
            #expect(statuses == [.unprocessableEntity, .unprocessableEntity, .unprocessableEntity, .tooManyRequests])

            try await app.createAdmin()
            let late = Browser(app)
            late.headers.replaceOrAdd(name: .xForwardedFor, value: "198.51.100.40")
            try await late.get("/admin/login")
            let closed = try await late.post("/admin/setup", form: Self.setup)
            #expect(closed.location == "/admin/login")
            #expect(app.services.signInChecks.passwordsHashed == 0, "nothing was hashed: not for the refused input, not for the closed page")
        }
    }

    @Test("in production the first admin needs the setup code start-up wrote, owner-only, and it goes once used")
    func productionSetupNeedsTheCode() async throws {
        try await withApp({ $0.setupCodeRequired = true }) { app in
            let browser = Browser(app)
            let page = try await browser.get("/admin/setup")
            #expect(page.text.contains("Setup code"))
            let path = SetupCode.path(app.services.config)
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let code = try #require(SetupCode.current(app.services.config))

            var form = Self.setup
            form["setup_code"] = "WRONG-CODE-0000-0000"
            let refused = try await browser.post("/admin/setup", form: form)
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains("That is not this server&#39;s setup code"))
            #expect(!refused.text.contains(app.services.config.storagePath), "no file system path on a public page")
            #expect(try await User.query(on: app.db).count() == 0)

            form["setup_code"] = code.lowercased().replacingOccurrences(of: "-", with: " ")
            #expect(try await browser.post("/admin/setup", form: form).location == "/admin")
            #expect(try await User.query(on: app.db).count() == 1)
            #expect(!FileManager.default.fileExists(atPath: path), "the code is gone once used")
            #expect(try await SetupCode.matches(code, on: app.db) == false)
        }
    }

    @Test("servers sharing one database share one code: a second server checks the code the first one made")
    func serversShareOneCode() async throws {
        try await withApp({ $0.setupCodeRequired = true }) { app in
            let first = try #require(try await SetupCode.ensure(on: app.db, app.services.config))
            var elsewhere = app.services.config
            elsewhere.storagePath += "/other-server"
            #expect(try await SetupCode.ensure(on: app.db, elsewhere) == nil, "no second code is made")
            #expect(try await SetupCode.matches(first.lowercased(), on: app.db))
            #expect(try await SetupCode.matches("AAAA-BBBB-CCCC-DDDD", on: app.db) == false)
        }
    }

    @Test("listening beyond loopback, or under an https APP_URL, the setup page asks for the code outside production too; it is in storage/setup-code, 0600")
    func reachableInstallsNeedTheCode() async throws {
        let reachable: [(String, (inout AppConfig) -> Void)] = [
            ("HOST=0.0.0.0", { $0.hostname = "0.0.0.0" }), ("HOST=::", { $0.hostname = "::" }),
            ("HOST=192.168.1.20", { $0.hostname = "192.168.1.20" }), ("HOST=leads.internal", { $0.hostname = "leads.internal" }),
            ("APP_URL=https://…", { $0.appURL = "https://leads.example.com" }),
        ]
        for (name, adjust) in reachable {
            try await withApp(adjust) { app in
                let page = try await Browser(app).get("/admin/setup")
                #expect(page.text.contains("Setup code"), "\(name)")
                let path = SetupCode.path(app.services.config)
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(name)")
                #expect(SetupCode.current(app.services.config) != nil, "\(name)")
            }
        }
        for loopback in ["127.0.0.1", "localhost", "::1", "127.0.0.2"] {
            try await withApp({ $0.hostname = loopback }) { app in
                let page = try await Browser(app).get("/admin/setup")
                #expect(!page.text.contains("Setup code"), "\(loopback)")
            }
        }
    }

    @Test("serve's own options name the listening host, over HOST; only loopback counts as this machine alone")
    func serveOptionsNameTheListeningHost() {
        #expect(ListenAddress.fromArguments(["serve", "--hostname", "0.0.0.0"]) == "0.0.0.0")
        #expect(ListenAddress.fromArguments(["serve", "-H", "192.168.1.20", "--port", "8000"]) == "192.168.1.20")
        #expect(ListenAddress.fromArguments(["serve", "--hostname=::"]) == "::")
        #expect(ListenAddress.fromArguments(["serve", "--bind", "0.0.0.0:8080"]) == "0.0.0.0")
        #expect(ListenAddress.fromArguments(["serve", "-b", "[::1]:8080"]) == "::1")
        #expect(ListenAddress.fromArguments(["serve", "--unix-socket", "/run/leadbridge.sock"]) == "localhost")
        #expect(ListenAddress.fromArguments(["serve", "--env", "production"]) == nil)
        for local in ["127.0.0.1", "127.8.9.10", "localhost", "LOCALHOST", "::1", "[::1]"] {
            #expect(ListenAddress.isThisMachineOnly(local), "\(local)")
        }
        for reachable in ["0.0.0.0", "::", "10.0.0.5", "leads.example.com", "localhost.example.com", ""] {
            #expect(!ListenAddress.isThisMachineOnly(reachable), "\(reachable)")
        }
    }

    @Test func developmentSetupNeedsNoCode() async throws {
        try await withApp { app in
            let page = try await Browser(app).get("/admin/setup")
            #expect(!page.text.contains("Setup code"))
            #expect(!FileManager.default.fileExists(atPath: SetupCode.path(app.services.config)))
        }
    }
}

@Suite("Sessions and CSRF")
struct SessionDefenceTests {
    @Test("a signed-in form's token belongs to its session: another session's token, or the cookie's own value, is refused")
    func csrfTokensAreBoundToTheSession() async throws {
        try await withApp { app in
            try await app.createAdmin()
            try await app.createAdmin(email: "second@example.com")
            let first = try await app.signedInBrowser()
            let second = try await app.signedInBrowser(email: "second@example.com")
            try await first.get("/admin")
            try await second.get("/admin")
            let stolen = try #require(second.csrfToken)
            #expect(first.csrfToken != stolen)
            let cookieValue = try #require(first.csrfCookie)

            var form = ["tags": "x"]
            form[CSRFMiddleware.fieldName] = stolen
            #expect(try await first.post("/admin/logout", form: form, withCSRF: false).status == .forbidden)
            form[CSRFMiddleware.fieldName] = cookieValue
            #expect(try await first.post("/admin/logout", form: form, withCSRF: false).status == .forbidden,
                    "a double-submit value no longer opens a signed-in form")
            #expect(try await first.get("/admin").status == .ok, "still signed in")
            #expect(try await first.post("/admin/logout", form: [:]).location == "/admin/login")
        }
    }

    @Test("under https the cookies carry the __Host- prefix: Secure, the whole site, no domain")
    func httpsCookiesUseTheHostPrefix() async throws {
        try await withApp({ $0.appURL = "https://leads.example.com" }) { app in
            try await app.createAdmin()
            let browser = Browser(app)
            let page = try await browser.get("/admin/login")
            let csrf = try #require(page.headers.setCookie?["__Host-leadbridge_csrf"])
            #expect(csrf.isSecure && csrf.path == "/" && csrf.domain == nil)
            let signedIn = try await browser.post("/admin/login", form: ["email": "admin@example.com", "password": "correct horse battery"])
            let session = try #require(signedIn.headers.setCookie?["__Host-leadbridge_session"])
            #expect(session.isSecure && session.isHTTPOnly && session.path == "/" && session.domain == nil)
            #expect(try await browser.get("/admin").status == .ok)
        }
    }

    @Test("a session ends a week after sign-in however busy it is, and its id is stored only hashed")
    func sessionsHaveAnAbsoluteLifetimeAndHashedIDs() async throws {
        let clock = TestClock(Date())
        try await withApp(clock: AppClock { clock.now }) { app in
            try await app.createAdmin()
            let browser = try await app.signedInBrowser()
            let cookie = try #require(browser.cookies["leadbridge_session"])
            let stored = try #require(try await StoredSession.query(on: app.db).first())
            #expect(stored.id != cookie)
            #expect(stored.id == DatabaseSessionDriver.storedID(cookie))
            #expect(stored.userID != nil)
            for _ in 0..<15 {  // a visit every 11 hours: never idle for 12
                clock.advance(11 * 3600)
                #expect(try await browser.get("/admin").status == .ok)
            }
            clock.advance(4 * 3600)  // 169 hours after sign-in
            #expect(try await browser.get("/admin").location?.hasPrefix("/admin/login") == true)
        }
    }

    @Test("sign out everywhere ends every session of that admin, and only theirs")
    func signOutEverywhere() async throws {
        try await withApp { app in
            try await app.createAdmin()
            try await app.createAdmin(email: "second@example.com")
            let laptop = try await app.signedInBrowser()
            let phone = try await app.signedInBrowser()
            let colleague = try await app.signedInBrowser(email: "second@example.com")
            try await laptop.get("/admin")
            let out = try await laptop.post("/admin/logout-everywhere", form: [:])
            #expect(out.location == "/admin/login?signed-out=everywhere")
            #expect(try await laptop.get(out.location!).text.contains("Signed out everywhere"))
            #expect(try await phone.get("/admin").location?.hasPrefix("/admin/login") == true)
            #expect(try await colleague.get("/admin").status == .ok)
        }
    }
}
