import NIOCore
import NIOSSL

/// A command for the handler: the bytes to write (nil for the greeting, which comes unasked)
/// and the promise of the reply they earn. Replies come in order, so promises are kept in order.
struct SMTPRequest: Sendable {
    let bytes: ByteBuffer?
    let reply: EventLoopPromise<SMTPReply>
}

/// Sent through the pipeline when a reply is late: the waiting commands fail with `timeout`.
struct SMTPReplyTimedOut: Sendable {
    let stage: String
}

/// Turns bytes into replies and hands each to the command waiting for it. A failure (a TLS
/// error, a closed connection, a timeout) fails every waiting command and every later one.
final class SMTPChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = SMTPRequest
    typealias OutboundOut = ByteBuffer

    /// Longer than any line a server sends (RFC 5321 allows 512 for a reply line).
    private static let maxLineBytes = 4096

    private var pending = ByteBuffer()
    private var parser = SMTPReply.Parser()
    private var waiting = CircularBuffer<EventLoopPromise<SMTPReply>>()
    /// Replies that came before anyone asked (the greeting).
    private var early = CircularBuffer<SMTPReply>()
    private var failure: SMTPError?
    /// Named in a closed-connection error.
    var stage = "the greeting"

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        pending.writeBuffer(&incoming)
        while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - pending.readerIndex + 1
            var line = pending.readString(length: length) ?? ""
            while line.last == "\n" || line.last == "\r" || line.hasSuffix("\r\n") { line.removeLast() }
            do {
                if let reply = try parser.feed(line) { deliver(reply) }
            } catch {
                fail(error, context: context)
                return
            }
        }
        if pending.readableBytes > Self.maxLineBytes { fail(.unreadableReply("a line longer than \(Self.maxLineBytes) bytes"), context: context) }
        pending.discardReadBytes()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.reply.fail(failure)
            promise?.fail(failure)
            return
        }
        if let ready = early.popFirst() { request.reply.succeed(ready) } else { waiting.append(request.reply) }
        if let bytes = request.bytes {
            context.write(wrapOutboundOut(bytes), promise: promise)
        } else {
            promise?.succeed(())
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let timedOut = event as? SMTPReplyTimedOut {
            fail(.timeout(stage: timedOut.stage), context: context)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? NIOSSLError {
            fail(.tls(String(describing: error)), context: context)
        } else if let error = error as? BoringSSLError {
            fail(.tls(String(describing: error)), context: context)
        } else {
            fail(.connectionClosed(stage: stage + " (\(error))"), context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(.connectionClosed(stage: stage), context: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connectionClosed(stage: stage), context: nil)
        context.fireChannelInactive()
    }

    private func deliver(_ reply: SMTPReply) {
        if let promise = waiting.popFirst() { promise.succeed(reply) } else { early.append(reply) }
    }

    private func fail(_ error: SMTPError, context: ChannelHandlerContext?) {
        if failure == nil { failure = error }
        while let promise = waiting.popFirst() { promise.fail(failure ?? error) }
        context?.close(promise: nil)
    }
}
