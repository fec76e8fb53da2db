import Foundation

/// One email as LeadBridge sends it: plain text and HTML alternatives of the same words.
/// Every header value is typed (`MailAddress`, `MailHeaderText`), so none can carry a line break.
public struct MailMessage: Sendable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var replyTo: MailAddress?
    public var subject: MailHeaderText
    public var text: String
    /// nil: a plain-text message only.
    public var html: String?
    public var date: Date
    /// Without angle brackets; nil: one is made from a random id and the sender's domain.
    public var messageID: String?
    /// Extra headers (`Auto-Submitted`, `X-LeadBridge-Enquiry`): names are checked when written.
    public var headers: [(name: String, value: MailHeaderText)]

    public init(from: MailAddress, to: [MailAddress], replyTo: MailAddress? = nil, subject: MailHeaderText,
                text: String, html: String? = nil, date: Date = Date(), messageID: String? = nil,
                headers: [(name: String, value: MailHeaderText)] = []) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.date = date
        self.messageID = messageID
        self.headers = headers
    }
}
