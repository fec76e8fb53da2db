/// One message's conversation with the server, for whoever keeps an audit trail: never the
/// password (AUTH's lines are not recorded) nor the body.
public struct SMTPTransactionRecord: Sendable {
    public let host: String
    public let port: Int
    public let recipients: Int
    /// The last reply: DATA's 250 when accepted, else the refusal's.
    public let reply: SMTPReply?
    public let durationMilliseconds: Int
    public let error: SMTPError?
}

public typealias SMTPTransactionObserver = @Sendable (SMTPTransactionRecord) async -> Void
