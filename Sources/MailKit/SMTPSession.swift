import NIOCore
import NIOSSL

/// One connection's commands and replies, each reply awaited with the configured timeout.
struct SMTPSession: Sendable {
    let channel: any Channel
    let replyTimeout: Double

    /// Writes `line` (nil: just wait, as for the greeting) and returns the reply when its code is
    /// one of `accepting`; a 4xx becomes `.transient`, a 5xx `.permanent`, with the server's words.
    /// A refusal carries the server's words, never the line sent (AUTH's hold credentials).
    @discardableResult
    func expect(_ line: String?, stage: String, accepting codes: Int...) async throws -> SMTPReply {
        try await exchange(line.map { $0 + "\r\n" }, stage: stage, accepting: Set(codes))
    }

    func expect(raw: String, stage: String, accepting codes: Int...) async throws -> SMTPReply {
        try await exchange(raw, stage: stage, accepting: Set(codes))
    }

    private func exchange(_ text: String?, stage: String, accepting codes: Set<Int>) async throws -> SMTPReply {
        let channel = self.channel
        let promise = channel.eventLoop.makePromise(of: SMTPReply.self)
        let bytes = text.map { channel.allocator.buffer(string: $0) }
        // A write that never reaches the handler (the connection closed and the pipeline is
        // empty) fails the reply too, or it would wait for ever; a second completion is ignored.
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { _ in promise.fail(SMTPError.connectionClosed(stage: stage)) }
        channel.writeAndFlush(SMTPRequest(bytes: bytes, reply: promise), promise: written)
        let timeout = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(replyTimeout * 1000))) {
            promise.fail(SMTPError.timeout(stage: stage))
            channel.pipeline.fireUserInboundEventTriggered(SMTPReplyTimedOut(stage: stage))
        }
        defer { timeout.cancel() }
        let reply = try await promise.futureResult.get()
        if codes.contains(reply.code) { return reply }
        switch reply.code {
        case 400..<500: throw SMTPError.transient(stage: stage, code: reply.code, message: reply.text)
        default: throw SMTPError.permanent(stage: stage, code: reply.code, message: reply.text)
        }
    }

    /// After STARTTLS's 220: TLS goes below the SMTP handler, and the handshake starts at once.
    func startTLS(_ context: NIOSSLContext, host: String) async throws {
        let channel = self.channel
        try await channel.eventLoop.submit {
            let handler = try NIOSSLClientHandler(context: context, serverHostname: Self.sniName(host))
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
    }

    /// QUIT without waiting for the goodbye: the message is already accepted.
    func quit() {
        let reply = channel.eventLoop.makePromise(of: SMTPReply.self)
        channel.writeAndFlush(SMTPRequest(bytes: channel.allocator.buffer(string: "QUIT\r\n"), reply: reply), promise: nil)
        // Nobody waits for the goodbye, and the connection closes next: completed here, so a
        // write that never reached the handler (or a close before the 221) leaks no promise;
        // the handler's later completion is ignored.
        reply.fail(SMTPError.connectionClosed(stage: "QUIT"))
    }

    func close() {
        channel.close(promise: nil)
    }

    /// The name for SNI and the certificate check: an IP literal is checked against the
    /// certificate's IP entries instead, so none is given.
    static func sniName(_ host: String) -> String? {
        let bare = host.trimmingCharacters(in: .init(charactersIn: "[]"))
        let isIPv4 = bare.split(separator: ".").count == 4 && bare.split(separator: ".").allSatisfy { UInt8($0) != nil }
        return isIPv4 || bare.contains(":") ? nil : bare
    }
}
