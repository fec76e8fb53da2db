import Foundation
import MailKit

/// Email as it is set up now: the environment's `MAIL_*` values, replaced field by field by
/// what an admin saved in Admin > Email.
struct EmailSettings: Sendable, Equatable, CustomStringConvertible {
    /// How staff hear of enquiries by email.
    enum StaffMode: String, Sendable, CaseIterable {
        /// One email per enquiry; enquiries in the minute after one come in one summary.
        case each
        /// One email a day listing the day's enquiries.
        case daily
        case off
    }

    var host = ""
    var port: Int?
    var username = ""
    var password = ""
    var encryption: SMTPConfiguration.Encryption = .startTLS
    var fromAddress = ""
    var fromName = ""
    var alertTo: [String] = []
    var staffMode: StaffMode = .each
    /// The hour (UTC, 0–23) the daily digest goes.
    var digestHour = 8
    /// The acknowledgement to the lead: off by default.
    var acknowledgementOn = false
    var acknowledgementSubject = "We received your enquiry"
    var acknowledgementBody = AcknowledgementEmail.defaultBody
    /// The business's postal address and contact, in every acknowledgement's footer.
    var businessFooter = ""
    var caFile: String?

    init() {}

    init(environment: MailEnvironment) {
        host = environment.host ?? ""
        port = environment.port
        username = environment.username ?? ""
        password = environment.password ?? ""
        encryption = environment.encryption
        fromAddress = environment.fromAddress ?? ""
        fromName = environment.fromName ?? ""
        alertTo = environment.alertTo
        caFile = environment.caFile
    }

    /// Whether a server and a sender are set: mail can be sent.
    var canSend: Bool { !host.isEmpty && !fromAddress.isEmpty }

    var digestOn: Bool { canSend && !alertTo.isEmpty && staffMode == .daily }

    var smtp: SMTPConfiguration {
        SMTPConfiguration(host: host, port: port ?? SMTPConfiguration.defaultPort(for: encryption), encryption: encryption,
                          credentials: username.isEmpty ? nil : .init(username: username, password: password),
                          trustRoots: caFile.map { .pemFile($0) } ?? .system, heloName: Self.heloName(fromAddress),
                          connectTimeoutSeconds: 10, replyTimeoutSeconds: 30)
    }

    /// The sender's domain: what a server expects a client to call itself.
    private static func heloName(_ from: String) -> String {
        from.split(separator: "@").last.map(String.init) ?? "localhost"
    }

    func sender() throws -> MailAddress {
        try MailAddress(fromAddress, name: fromName.isEmpty ? "LeadBridge" : fromName)
    }

    func staff() -> [MailAddress] { alertTo.compactMap { try? MailAddress($0) } }
}

extension EmailSettings {
    /// Never the password: a settings value interpolated into a log line must not carry it.
    var description: String {
        "EmailSettings(host: \(host), port: \(port.map(String.init) ?? "default"), username: \(username), password: \(password.isEmpty ? "none" : "set"), from: \(fromAddress))"
    }
}
