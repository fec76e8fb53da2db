/// Why a message was not accepted, sorted the way a sender must act on it: a 4xx answer (or a
/// lost connection before the server took the message) is worth trying again; a 5xx answer is
/// the server's final word, kept in its own sentence.
public enum SMTPError: Error, Equatable, CustomStringConvertible {
    /// The server answered 4xx at `stage` ("RCPT TO", "DATA"…): try later.
    case transient(stage: String, code: Int, message: String)
    /// The server answered 5xx: do not try again unchanged.
    case permanent(stage: String, code: Int, message: String)
    /// No connection (refused, unknown host, no route).
    case connectFailed(String)
    /// The TLS handshake failed: an untrusted or mismatched certificate, an old protocol.
    case tls(String)
    /// No reply within the time allowed.
    case timeout(stage: String)
    /// The server closed the connection.
    case connectionClosed(stage: String)
    /// Encryption `tls` was asked for and the server offers no STARTTLS.
    case startTLSNotOffered
    /// A username was given and the server offers neither AUTH PLAIN nor AUTH LOGIN.
    case authenticationNotOffered(offered: String)
    /// Encryption `none` to a host that is not this machine.
    case plainTextRefused(host: String)
    /// The server said something that is not SMTP.
    case unreadableReply(String)

    /// Whether trying again later may succeed.
    public var isTransient: Bool {
        switch self {
        case .transient, .connectFailed, .timeout, .connectionClosed: return true
        case .permanent, .tls, .startTLSNotOffered, .authenticationNotOffered, .plainTextRefused, .unreadableReply: return false
        }
    }

    /// The server's reply code, when it answered.
    public var code: Int? {
        switch self {
        case .transient(_, let code, _), .permanent(_, let code, _): return code
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .transient(let stage, let code, let message):
            return "The mail server answered \(code) to \(stage), a temporary refusal: \(message)"
        case .permanent(let stage, let code, let message):
            return "The mail server refused \(stage) with \(code): \(message)"
        case .connectFailed(let reason): return "Could not connect to the mail server: \(reason)"
        case .tls(let reason): return "The TLS handshake with the mail server failed (\(reason)); check MAIL_HOST matches its certificate and MAIL_ENCRYPTION (tls on 587, ssl on 465)."
        case .timeout(let stage): return "The mail server did not answer \(stage) in time."
        case .connectionClosed(let stage): return "The mail server closed the connection during \(stage)."
        case .startTLSNotOffered: return "The mail server does not offer STARTTLS, so the password and the message would cross the network in the clear; use MAIL_ENCRYPTION=ssl on port 465, or a server that offers STARTTLS."
        case .authenticationNotOffered(let offered):
            return "The mail server offers no AUTH PLAIN or LOGIN (it offers: \(offered.isEmpty ? "nothing" : offered)); check MAIL_ENCRYPTION, since many servers offer AUTH only after STARTTLS."
        case .plainTextRefused(let host): return "MAIL_ENCRYPTION=none is allowed only to a mail server on this machine, not \(host): use tls or ssl."
        case .unreadableReply(let line): return "The mail server's answer is not SMTP: \(line.prefix(120))"
        }
    }
}
