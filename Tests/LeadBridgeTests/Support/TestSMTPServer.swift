import Foundation
import MailKit
import Testing
import Vapor
@testable import LeadBridge

/// The real SMTP server scripts/test.sh starts on loopback (scripts/lib/smtp-test-server.py,
/// aiosmtpd): STARTTLS and implicit TLS under a throwaway authority, AUTH, refusals chosen by
/// the recipient's address, and a spool of what it accepted, each message parsed by Python's
/// `email` package into a JSON file beside it.
struct TestSMTPServer: Sendable {
    static let skipReason: Comment = "LEADBRIDGE_TEST_SMTP is not set, so there is no SMTP server to send to: run scripts/test.sh, which starts one (or source scripts/lib/smtp.sh and call start_smtp_server)."

    static let shared: TestSMTPServer? = {
        let env = ProcessInfo.processInfo.environment
        guard let main = env["LEADBRIDGE_TEST_SMTP"].flatMap(TestSMTPServer.split),
              let implicit = env["LEADBRIDGE_TEST_SMTPS"].flatMap(TestSMTPServer.split),
              let ca = env["LEADBRIDGE_TEST_SMTP_CA"], let spool = env["LEADBRIDGE_TEST_SMTP_SPOOL"] else { return nil }
        return TestSMTPServer(host: main.0, port: main.1, implicitTLSPort: implicit.1, caFile: ca, spool: spool,
                              username: env["LEADBRIDGE_TEST_SMTP_USERNAME"] ?? "leadbridge",
                              password: env["LEADBRIDGE_TEST_SMTP_PASSWORD"] ?? "test-mail-password")
    }()

    static var isConfigured: Bool { shared != nil }

    static func require() throws -> TestSMTPServer { try #require(shared, skipReason) }

    let host: String
    let port: Int
    let implicitTLSPort: Int
    let caFile: String
    let spool: String
    let username: String
    let password: String

    private static func split(_ value: String) -> (String, Int)? {
        let parts = value.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { return nil }
        return (String(parts[0]), port)
    }

    /// An address no other test uses; its local part may ask the server for a refusal
    /// ("reject-", "busy-", "flaky2-", "slow3-").
    static func address(_ prefix: String = "staff") -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())@example.test"
    }

    func configuration(encryption: SMTPConfiguration.Encryption = .startTLS, signedIn: Bool = true) -> SMTPConfiguration {
        SMTPConfiguration(host: host, port: encryption == .implicitTLS ? implicitTLSPort : port, encryption: encryption,
                          credentials: signedIn ? .init(username: username, password: password) : nil,
                          trustRoots: .pemFile(caFile), replyTimeoutSeconds: 5)
    }

    /// The app sends through this server: STARTTLS, signed in, trusting the throwaway authority.
    func configure(_ config: inout AppConfig, staff: [String]) {
        config.mail.host = host
        config.mail.port = port
        config.mail.encryption = .startTLS
        config.mail.username = username
        config.mail.password = password
        config.mail.caFile = caFile
        config.mail.fromAddress = "leads@example.test"
        config.mail.fromName = "Acme Advisory"
        config.mail.alertTo = staff
    }

    /// One message the server accepted, as Python's `email` package read it.
    struct Received: Decodable {
        let id: String
        let mail_from: String
        let rcpt_tos: [String]
        let tls: Bool
        let auth: Bool
        let headers: [[String]]
        let raw_headers: [[String]]
        let content_type: String
        let text: String?
        let html: String?
        let defects: [String]
        let longest_line: Int

        /// Every decoded value of the header `name`.
        func header(_ name: String) -> [String] { headers.filter { $0[0].lowercased() == name.lowercased() }.map { $0[1] } }
        func rawHeader(_ name: String) -> [String] { raw_headers.filter { $0[0].lowercased() == name.lowercased() }.map { $0[1] } }
        var headerNames: [String] { headers.map { $0[0] } }
    }

    /// The messages received for `recipient`, once there are at least `count` (within `seconds`).
    func received(for recipient: String, count: Int = 1, within seconds: Double = 10) async throws -> [Received] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let found = try all().filter { $0.rcpt_tos.contains(recipient) }
            if found.count >= count || Date() > deadline { return found }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }

    func all() throws -> [Received] {
        let files = try FileManager.default.contentsOfDirectory(atPath: spool).filter { $0.hasSuffix(".json") }
        return files.compactMap { name in
            (try? Data(contentsOf: URL(fileURLWithPath: spool + "/" + name))).flatMap { try? JSONDecoder().decode(Received.self, from: $0) }
        }
    }
}

extension Application {
    /// An admin made and signed in: the email pages are the admin's.
    func signedInAdmin() async throws -> Browser {
        try await createAdmin()
        return try await signedInBrowser()
    }
}
