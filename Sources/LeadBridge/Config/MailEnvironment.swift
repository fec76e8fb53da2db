import Foundation
import MailKit

/// The mail server and the staff inbox (`MAIL_*`, Laravel's names, and `LEAD_ALERT_EMAIL_TO`):
/// the defaults until an admin saves Admin > Email. Checked here so a typo stops start-up
/// with a sentence instead of failing every email later.
public struct MailEnvironment: Sendable {
    public var host: String?
    public var port: Int?
    public var username: String?
    public var password: String?
    public var encryption: SMTPConfiguration.Encryption
    public var fromAddress: String?
    public var fromName: String?
    /// Staff inboxes each enquiry is emailed to.
    public var alertTo: [String]
    /// `MAIL_CA_FILE`: PEM certificates to trust instead of the system's (a private mail
    /// server's authority, or the tests' throwaway one).
    public var caFile: String?
    /// `LEAD_ALERT_EMAIL_SUMMARY_SECONDS`: after a staff email, the enquiries of this many
    /// seconds wait for one summary (0: every enquiry gets its own email).
    public var summarySeconds: Int
    /// Set by `leadbridge demo`: nothing leaves the process; every email is kept for the demo's page.
    public var catchesMail = false

    init(_ reader: EnvironmentReader) throws {
        host = reader.string("MAIL_HOST")
        port = try reader.int("MAIL_PORT")
        if let port, !(1...65535).contains(port) {
            throw ConfigurationError.invalid("MAIL_PORT must be a port number (587 for tls, 465 for ssl), not \(port).")
        }
        username = reader.string("MAIL_USERNAME")
        password = reader.values["MAIL_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        let rawEncryption = (reader.string("MAIL_ENCRYPTION") ?? "tls").lowercased()
        // Laravel's "starttls" and "smtps" spellings mean the same.
        switch rawEncryption {
        case "tls", "starttls": encryption = .startTLS
        case "ssl", "smtps": encryption = .implicitTLS
        case "none", "null", "": encryption = .none
        default:
            throw ConfigurationError.invalid("MAIL_ENCRYPTION must be tls (STARTTLS, port 587), ssl (TLS from the start, port 465) or none (a mail server on this machine only), not \"\(rawEncryption)\".")
        }
        if encryption == .none, let host, !SMTPConfiguration.isLoopback(host) {
            throw ConfigurationError.invalid("MAIL_ENCRYPTION=none sends the password and every message in the clear, so it is allowed only for a mail server on this machine; \(host) is not. Use tls or ssl.")
        }
        fromAddress = reader.string("MAIL_FROM_ADDRESS")
        if let fromAddress, (try? MailAddress(fromAddress)) == nil {
            throw ConfigurationError.invalid("MAIL_FROM_ADDRESS (\(fromAddress)) is not an email address.")
        }
        fromName = reader.string("MAIL_FROM_NAME")
        alertTo = try reader.list("LEAD_ALERT_EMAIL_TO").map { entry in
            guard let address = EmailAddress.normalize(entry) else {
                throw ConfigurationError.invalid("LEAD_ALERT_EMAIL_TO has \"\(entry)\", which is not an email address: list staff inboxes, comma-separated.")
            }
            return address
        }
        caFile = reader.string("MAIL_CA_FILE")
        summarySeconds = min(3600, max(0, try reader.int("LEAD_ALERT_EMAIL_SUMMARY_SECONDS") ?? 60))
    }
}
