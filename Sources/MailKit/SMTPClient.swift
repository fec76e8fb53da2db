import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// What the server said when it took a message.
public struct SMTPDelivery: Sendable, Equatable {
    /// DATA's 250 reply.
    public let reply: SMTPReply
    /// The server's id for the message ("queued as …"), else its reply's words.
    public var queueID: String { reply.queueID }
    /// Recipients the server refused while accepting others, with its sentence for each.
    public let refused: [String: String]

    public init(reply: SMTPReply, refused: [String: String]) {
        self.reply = reply
        self.refused = refused
    }
}

/// A small SMTP client (RFC 5321) on SwiftNIO: one connection per message, `EHLO`, STARTTLS
/// or implicit TLS with the certificate verified, AUTH PLAIN or LOGIN, then the message.
/// Built once with its configuration; it keeps no connection between messages, so it is
/// safe to share. Every message is reported to `observer` without the password or the body.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    private let group: any EventLoopGroup
    private let tls: NIOSSLContext?
    private let observer: SMTPTransactionObserver?

    public init(configuration: SMTPConfiguration, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                observer: SMTPTransactionObserver? = nil) throws(SMTPError) {
        if configuration.encryption == .none, !SMTPConfiguration.isLoopback(configuration.host) {
            throw .plainTextRefused(host: configuration.host)
        }
        self.configuration = configuration
        group = eventLoopGroup
        self.observer = observer
        if configuration.encryption == .none {
            tls = nil
        } else {
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            tlsConfiguration.minimumTLSVersion = .tlsv12
            tlsConfiguration.certificateVerification = .fullVerification
            switch configuration.trustRoots {
            case .system: tlsConfiguration.trustRoots = .default
            case .pemFile(let path): tlsConfiguration.trustRoots = .file(path)
            }
            do {
                tls = try NIOSSLContext(configuration: tlsConfiguration)
            } catch {
                throw .tls("could not set up TLS: \(error)")
            }
        }
    }

    /// Sends one message; throws `SMTPError` only.
    @discardableResult
    public func send(_ message: MailMessage) async throws -> SMTPDelivery {
        let started = ContinuousClock.now
        var last: SMTPReply?
        do {
            let delivery = try await transact(message) { last = $0 }
            await report(started, message, reply: delivery.reply, error: nil)
            return delivery
        } catch let error as SMTPError {
            await report(started, message, reply: last, error: error)
            throw error
        } catch {
            let wrapped = SMTPError.connectionClosed(stage: "sending (\(error))")
            await report(started, message, reply: last, error: wrapped)
            throw wrapped
        }
    }

    /// Connects, greets and signs in, and says goodbye: the settings work. Sends no message.
    public func verify() async throws {
        let session = try await open()
        defer { session.close() }
        try await greetAndSignIn(session)
    }

    // MARK: The conversation

    private func transact(_ message: MailMessage, seen: (SMTPReply) -> Void) async throws -> SMTPDelivery {
        let session = try await open()
        defer { session.close() }
        try await greetAndSignIn(session)
        seen(try await session.expect("MAIL FROM:<\(message.from.address)>", stage: "MAIL FROM", accepting: 250))
        var refused: [String: String] = [:]
        var firstRefusal: SMTPError?
        for recipient in message.to {
            do {
                seen(try await session.expect("RCPT TO:<\(recipient.address)>", stage: "RCPT TO", accepting: 250, 251))
            } catch let error as SMTPError where error.code != nil {
                refused[recipient.address] = error.description
                firstRefusal = firstRefusal ?? error
            }
        }
        if refused.count == message.to.count, let firstRefusal { throw firstRefusal }
        seen(try await session.expect("DATA", stage: "DATA", accepting: 354))
        let reply = try await session.expect(raw: SMTPData.stuffed(MIMEWriter.render(message)), stage: "the message", accepting: 250)
        seen(reply)
        session.quit()
        return SMTPDelivery(reply: reply, refused: refused)
    }

    private func greetAndSignIn(_ session: SMTPSession) async throws {
        _ = try await session.expect(nil, stage: "the greeting", accepting: 220)
        var extensions = try await ehlo(session)
        if configuration.encryption == .startTLS {
            guard extensions.keys.contains("STARTTLS") else { throw SMTPError.startTLSNotOffered }
            _ = try await session.expect("STARTTLS", stage: "STARTTLS", accepting: 220)
            try await session.startTLS(tls!, host: configuration.host)
            do {
                extensions = try await ehlo(session)
            } catch SMTPError.connectionClosed {
                // A refused certificate closes the connection; which of the two is seen first
                // depends on timing, and either way the handshake is what failed.
                throw SMTPError.tls("the connection closed during the TLS handshake (the certificate was not accepted)")
            }
        }
        guard let credentials = configuration.credentials else { return }
        let mechanisms = Set((extensions["AUTH"] ?? "").uppercased().split(separator: " ").map(String.init))
        let plain = Data("\0\(credentials.username)\0\(credentials.password)".utf8).base64EncodedString()
        if mechanisms.contains("PLAIN") {
            _ = try await session.expect("AUTH PLAIN " + plain, stage: "AUTH PLAIN", accepting: 235)
        } else if mechanisms.contains("LOGIN") {
            _ = try await session.expect("AUTH LOGIN", stage: "AUTH LOGIN", accepting: 334)
            _ = try await session.expect(Data(credentials.username.utf8).base64EncodedString(), stage: "AUTH LOGIN", accepting: 334)
            _ = try await session.expect(Data(credentials.password.utf8).base64EncodedString(), stage: "AUTH LOGIN", accepting: 235)
        } else {
            throw SMTPError.authenticationNotOffered(offered: extensions["AUTH"] ?? "")
        }
    }

    /// EHLO's extensions by keyword ("AUTH" → "PLAIN LOGIN").
    private func ehlo(_ session: SMTPSession) async throws -> [String: String] {
        let reply = try await session.expect("EHLO " + configuration.heloName, stage: "EHLO", accepting: 250)
        var extensions: [String: String] = [:]
        for line in reply.lines.dropFirst() {
            let parts = line.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "=" })
            guard let keyword = parts.first else { continue }
            extensions[keyword.uppercased()] = parts.count > 1 ? String(parts[1]) : ""
        }
        return extensions
    }

    private func open() async throws -> SMTPSession {
        let host = configuration.host, implicit = configuration.encryption == .implicitTLS, tls = self.tls
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.milliseconds(Int64(configuration.connectTimeoutSeconds * 1000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicit, let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: SMTPSession.sniName(host)))
                    }
                    try channel.pipeline.syncOperations.addHandler(SMTPChannelHandler())
                }
            }
        do {
            let channel = try await bootstrap.connect(host: host, port: configuration.port).get()
            return SMTPSession(channel: channel, replyTimeout: configuration.replyTimeoutSeconds)
        } catch ChannelError.connectTimeout {
            throw SMTPError.timeout(stage: "connecting to \(host):\(configuration.port)")
        } catch {
            throw SMTPError.connectFailed("\(host):\(configuration.port): \(error)")
        }
    }

    private func report(_ started: ContinuousClock.Instant, _ message: MailMessage, reply: SMTPReply?, error: SMTPError?) async {
        guard let observer else { return }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        await observer(SMTPTransactionRecord(host: configuration.host, port: configuration.port, recipients: message.to.count,
                                             reply: reply, durationMilliseconds: milliseconds, error: error))
    }
}
