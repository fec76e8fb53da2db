/// Where and how to reach a mail server, with Laravel's words for the encryption.
public struct SMTPConfiguration: Sendable, Equatable {
    public enum Encryption: String, Sendable, CaseIterable {
        /// STARTTLS after the greeting (usually port 587): refused if the server does not offer it.
        case startTLS = "tls"
        /// TLS from the first byte (port 465).
        case implicitTLS = "ssl"
        /// Plain text: only to a server on this machine (`SMTPClient` refuses any other host).
        case none
    }

    /// What the server's certificate must chain to.
    public enum TrustRoots: Sendable, Equatable {
        /// The system's certificate authorities.
        case system
        /// PEM certificates in this file, and nothing else: tests' throwaway authority.
        case pemFile(String)
    }

    public struct Credentials: Sendable, Equatable, CustomStringConvertible {
        /// Never the password, should a value reach a log line.
        public var description: String { "Credentials(username: \(username), password: set)" }
        public let username: String
        public let password: String
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    public var host: String
    public var port: Int
    public var encryption: Encryption
    public var credentials: Credentials?
    public var trustRoots: TrustRoots
    /// The name this client gives in `EHLO`.
    public var heloName: String
    public var connectTimeoutSeconds: Double
    /// Longest wait for any one reply (RFC 5321 suggests minutes; a form's mail can wait less).
    public var replyTimeoutSeconds: Double

    public init(host: String, port: Int, encryption: Encryption, credentials: Credentials? = nil, trustRoots: TrustRoots = .system,
                heloName: String = "localhost", connectTimeoutSeconds: Double = 10, replyTimeoutSeconds: Double = 60) {
        self.host = host
        self.port = port
        self.encryption = encryption
        self.credentials = credentials
        self.trustRoots = trustRoots
        self.heloName = heloName
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.replyTimeoutSeconds = replyTimeoutSeconds
    }

    /// The usual port for the encryption: 587, 465, or 25.
    public static func defaultPort(for encryption: Encryption) -> Int {
        switch encryption {
        case .startTLS: return 587
        case .implicitTLS: return 465
        case .none: return 25
        }
    }

    /// Whether `host` is this machine, the only place plain-text SMTP may go.
    public static func isLoopback(_ host: String) -> Bool {
        let lower = host.lowercased()
        return lower == "localhost" || lower.hasSuffix(".localhost") || lower == "::1" || lower == "[::1]"
            || (lower.hasPrefix("127.") && lower.split(separator: ".").count == 4 && lower.split(separator: ".").allSatisfy { UInt8($0) != nil })
    }
}
