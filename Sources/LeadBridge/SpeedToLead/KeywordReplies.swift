import Fluent
import Foundation

/// The answers to keyword texts. HELP and INFO get the help reply (the business's name and how
/// to reach it, as carriers require of every registered campaign); START and its synonyms get a
/// welcome back. STOP gets none from LeadBridge: RingCentral stops every text to the number
/// from then on, the confirmation included (see docs/providers.md, unconfirmed). Each answer is
/// an automatic text keyed by the keyword text's RingCentral id, so a notification delivered
/// twice is answered once; it goes at any hour (it was asked for) and never counts as a
/// person's first contact.
enum KeywordReplies {
    static let helpPrefix = "keyword:help:"
    static let startPrefix = "keyword:start:"
    static let startReply = "You will get texts from {business_name} again. Reply HELP for help, STOP to opt out."
}

extension SpeedToLeadService {
    /// Queues the answer to a keyword text, in the webhook's transaction. `messageKey` is the
    /// inbound text's id (RingCentral's, else the notification's uuid).
    func planKeywordReply(_ keyword: DoNotText.Keyword, from number: String, messageKey: String, at time: Date,
                          on db: any Database) async throws -> Bool {
        let prefix: String
        switch keyword {
        case .help: prefix = KeywordReplies.helpPrefix
        case .start: prefix = KeywordReplies.startPrefix
        case .stop: return false
        }
        guard try await RingCentralTokenRecord.isConnected(on: db) else { return false }
        let enquiry = try await EnquiryPhoneIndex.enquiry(for: number, on: db)
        return try await queueTexts([(.keywordReply, prefix + String(messageKey.prefix(250)), enquiry, number)], at: time, on: db)
    }
}
