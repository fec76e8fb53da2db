import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// Issue #27: a flood of sign-ins from many addresses must cost the sign-in page, not the
/// database. bcrypt runs on threads of its own, behind a ceiling that answers at once.
@Suite("Sign-in floods")
struct SignInFloodTests {
    /// `count` wrong sign-ins at once, each from its own address, with one browser's CSRF pair.
    static func flood(_ app: Application, count: Int, firstAddress: Int = 1) async throws -> [TestingHTTPResponse] {
        let browser = Browser(app)
        try await browser.get("/admin/login")
        let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        let token = try #require(browser.csrfToken)
        return try await withThrowingTaskGroup(of: TestingHTTPResponse.self) { group in
            for index in 0..<count {
                group.addTask {
                    let body = "email=admin%40example.com&password=wrong\(index)wrong&_csrf=\(token)"
                    let headers: HTTPHeaders = ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded",
                                                "Accept": "text/html", "X-Forwarded-For": "198.18.\((firstAddress + index) / 250).\((firstAddress + index) % 250)"]
                    return try await app.testing().sendRequest(.POST, "/admin/login", headers: headers, body: ByteBuffer(string: body))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// Milliseconds one enquiry took to be answered.
    static func timedEnquiry(_ app: Application, _ index: Int) async throws -> Double {
        let started = DispatchTime.now().uptimeNanoseconds
        let body = #"{"first_name":"Ada","email":"ada\#(index)@example.com","message":"Hello","consent":true,"service_interest":"Other"}"#
        let response = try await app.testing().sendRequest(.POST, "/api/contact", headers: ["Content-Type": "application/json"],
                                                           body: ByteBuffer(string: body))
        #expect(response.status == .created)
        return Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
    }

    /// bcrypt at the tests' cost, but each check first holds its thread until `open()`: a
    /// production check's quarter second made as long as the test needs, without using the CPU.
    final class GatedHasher: PasswordHasher, @unchecked Sendable {
        private let gate = DispatchGroup()
        private let lock = NIOLock()
        private var held = 0

        init() { gate.enter() }

        /// Checks holding a thread right now.
        var holding: Int { lock.withLock { held } }
        func open() { gate.leave() }

        private func pass() {
            lock.withLock { held += 1 }
            gate.wait()
            lock.withLock { held -= 1 }
        }

        func hash<Password: DataProtocol>(_ password: Password) throws -> [UInt8] {
            pass()
            return Array(try Bcrypt.hash(String(decoding: Array(password), as: UTF8.self), cost: 4).utf8)
        }
        func verify<Password: DataProtocol, Digest: DataProtocol>(_ password: Password, created digest: Digest) throws -> Bool {
            pass()
            return try Bcrypt.verify(String(decoding: Array(password), as: UTF8.self), created: String(decoding: Array(digest), as: UTF8.self))
        }
    }

    @Test("while 40 sign-ins from 40 addresses hold every bcrypt thread, enquiries are still answered")
    func intakeIsNotStarvedBySignIns() async throws {
        let hasher = GatedHasher()
        // Every check a real one (no decoys), all admitted at once.
        try await withApp({ $0.trustProxyHeaders = true; $0.passwordCheckCeiling = 100
                            $0.loginThrottle.maxAttemptsPerAccountPerMinute = 1000; $0.passwordHasher = hasher }) { app in
            try await app.createAdmin()
            let flood = Task { try await Self.flood(app, count: 40) }
            var waited = 0
            while hasher.holding == 0, waited < 500 {
                try await Task.sleep(for: .milliseconds(10)); waited += 1
            }
            #expect(hasher.holding > 0, "the sign-ins reached bcrypt")
            // Before PasswordHashing, bcrypt ran on SQLite's own two threads: two held checks,
            // and no enquiry could reach the database until they let go.
            let answered = NIOLockedValueBox(false)
            let enquiries = Task {
                for index in 0..<3 { _ = try await Self.timedEnquiry(app, index) }
                answered.withLockedValue { $0 = true }
            }
            waited = 0
            while !answered.withLockedValue({ $0 }), waited < 1000 {
                try await Task.sleep(for: .milliseconds(10)); waited += 1
            }
            #expect(answered.withLockedValue { $0 }, "enquiries were answered while every bcrypt thread was held")
            hasher.open()
            try await enquiries.value
            let statuses = try await flood.value.map(\.status)
            #expect(statuses.allSatisfy { $0 == .unauthorized }, "\(statuses)")
        }
    }

    @Test("past the ceiling, a sign-in is answered at once with 503, a sentence and Retry-After; none is a 500")
    func theCeilingAnswersAtOnce() async throws {
        try await withApp({ $0.trustProxyHeaders = true; $0.passwordHashCost = 11 }) { app in
            try await app.createAdmin()
            let responses = try await Self.flood(app, count: 60)
            let busy = responses.filter { $0.status == .serviceUnavailable }
            #expect(!busy.isEmpty, "60 checks at once is past the ceiling: \(responses.map(\.status.code))")
            #expect(responses.allSatisfy { [.unauthorized, .serviceUnavailable].contains($0.status) })
            for response in busy {
                #expect(Int(response.headers.first(name: "Retry-After") ?? "") ?? 0 >= 1)
                #expect(response.text.contains("Too many sign-ins are being checked right now"))
            }
            #expect(app.services.signInChecks.hashChecks == responses.filter { $0.status == .unauthorized }.count,
                    "a refused sign-in costs no bcrypt")
        }
    }

    @Test("the sign-in limit counts an IPv6 /56 as one network; the intake limit still counts by /64")
    func signInCountsIPv6By56() async throws {
        try await withApp({ $0.trustProxyHeaders = true; $0.loginThrottle.maxFailuresPerIP = 2; $0.intake.rateLimit = 1 }) { app in
            try await app.createAdmin()
            let browser = Browser(app)
            try await browser.get("/admin/login")
            var statuses: [HTTPStatus] = []
            // Three /64s of one /56 (2001:db8:5:600::/56).
            for (attempt, hop) in ["2001:db8:5:601::1", "2001:db8:5:6a0::2", "2001:db8:5:6ff:ffff::3"].enumerated() {
                browser.headers.replaceOrAdd(name: .xForwardedFor, value: hop)
                statuses.append(try await browser.post("/admin/login", form: ["email": "v6-\(attempt)@example.com", "password": "guess guess guess"]).status)
            }
            #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests], "one /56 is one network for sign-in")

            var intake: [HTTPStatus] = []
            for (index, hop) in ["2001:db8:7:701::1", "2001:db8:7:702::1"].enumerated() {
                let body = #"{"first_name":"Ada","email":"ada\#(index)@example.com","message":"Hi","consent":true,"service_interest":"Other"}"#
                intake.append(try await app.testing().sendRequest(.POST, "/api/contact", headers: [
                    "Content-Type": "application/json", "X-Forwarded-For": hop], body: ByteBuffer(string: body)).status)
            }
            #expect(intake == [.created, .created], "enquiries still count by /64")
        }
    }

    @Test("a sign-in refused unchecked is answered after a pause, so a script sending the next try on each answer cannot spin")
    func refusalsArePaced() async throws {
        try await withApp({ $0.trustProxyHeaders = true; $0.loginThrottle.maxFailuresPerIP = 1 }) { app in
            try await app.createAdmin()
            let browser = Browser(app)
            browser.headers.replaceOrAdd(name: .xForwardedFor, value: "203.0.113.80")
            try await browser.get("/admin/login")
            #expect(try await browser.post("/admin/login", form: ["email": "a@example.com", "password": "guess guess guess"]).status == .unauthorized)
            let started = ContinuousClock.now
            let refused = try await browser.post("/admin/login", form: ["email": "a@example.com", "password": "guess guess guess"])
            let waited = ContinuousClock.now - started
            #expect(refused.status == .tooManyRequests)
            #expect(waited >= AdminAuthController.refusalPause * 0.9, "answered after \(waited)")
        }
    }
}
