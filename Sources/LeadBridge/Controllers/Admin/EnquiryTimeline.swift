import Fluent
import Foundation
import Vapor

/// An enquiry's calls, texts and sync events in one list, newest first.
struct EnquiryTimeline {
    struct Item: Encodable {
        let when: String
        let kind: String        // "call", "sms", "sync", "received"
        let title: String
        let detail: String
        let sortKey: Double
        /// Linked only by the phone number typed into the enquiry, which proves nothing.
        var unverified = false
    }

    static func items(for enquiry: Enquiry, on db: any Database, limit: Int = 100) async throws -> [Item] {
        guard let id = enquiry.id else { return [] }
        var items: [Item] = []
        for call in try await CallLog.query(on: db).filter(\.$enquiry.$id == id).sort(\.$startTime, .descending).limit(limit).all() {
            let inbound = call.direction == "inbound"
            let other = (inbound ? call.fromData : call.toData)?["phoneNumber"] ?? ""
            let duration = call.duration.map { "\($0 / 60)m \($0 % 60)s" } ?? ""
            items.append(Item(when: AdminDate.format(call.startTime), kind: "call",
                              title: (inbound ? "Inbound call from " : "Outbound call to ") + other,
                              detail: [call.result ?? "", duration, call.recordingURL == nil ? "" : "recorded"].filter { !$0.isEmpty }
                                  .joined(separator: " · "),
                              sortKey: call.startTime?.timeIntervalSince1970 ?? 0, unverified: true))
        }
        for message in try await SMSMessage.query(on: db).filter(\.$enquiry.$id == id).sort(\.$id, .descending).limit(limit).all() {
            let inbound = message.direction == .inbound
            let automatic = message.kind.flatMap(AutomaticText.Kind.init(rawValue:)).map { $0.label + " to " }
            items.append(Item(when: AdminDate.format(message.sentAt ?? message.createdAt), kind: "sms",
                              title: (inbound ? "Text from " + message.fromNumber : (automatic ?? "Text to ") + message.toNumber) + " · " + message.status,
                              detail: message.text + (message.error.map { " — " + $0 } ?? ""),
                              sortKey: (message.sentAt ?? message.createdAt)?.timeIntervalSince1970 ?? 0, unverified: inbound))
        }
        // Automatic texts that sent nothing to the lead: alerts to staff, and what was held back and why.
        for text in try await AutomaticText.query(on: db).filter(\.$enquiry.$id == id).sort(\.$id, .descending).limit(limit).all()
            where !(text.kind.isToLead && text.status == .sent) {
            let title: String
            switch (text.kind.isToLead, text.status) {
            case (false, .sent): title = "Staff alerted (\(text.recipients.joined(separator: ", ")))"
            case (false, .batched): title = "Staff alert: in the next minute's summary"
            case (_, .queued): title = text.kind.label + " queued"
            default: title = text.kind.label + " not sent"
            }
            let when = text.sentAt ?? text.createdAt
            items.append(Item(when: AdminDate.format(when), kind: "automatic", title: title,
                              detail: text.status == .sent && !text.kind.isToLead ? "" : text.reason ?? "",
                              sortKey: when.timeIntervalSince1970))
        }
        for email in try await EmailMessage.query(on: db).filter(\.$enquiry.$id == id).sort(\.$id, .descending).limit(limit).all() {
            let when = email.sentAt ?? email.createdAt
            items.append(Item(when: AdminDate.format(when), kind: "email", title: Self.emailTitle(email),
                              detail: email.reason ?? "", sortKey: when.timeIntervalSince1970))
        }
        for log in try await IntegrationLog.query(on: db).filter(\.$relatedType == IntegrationLog.aboutEnquiry).filter(\.$relatedID == id)
            .filter(\.$provider == "suitedash").sort(\.$id, .descending).limit(limit).all() {
            items.append(Item(when: AdminDate.format(log.createdAt), kind: "sync", title: Self.syncTitle(log),
                              detail: log.errorMessage ?? "", sortKey: log.createdAt?.timeIntervalSince1970 ?? 0))
        }
        items.append(Item(when: AdminDate.format(enquiry.createdAt), kind: "received", title: "Enquiry received (\(enquiry.source))",
                          detail: "", sortKey: enquiry.createdAt?.timeIntervalSince1970 ?? 0))
        return Array(items.sorted { $0.sortKey > $1.sortKey }.prefix(limit))
    }

    /// An email's state in words: queued, sent with the server's queue id, in a summary, not sent.
    static func emailTitle(_ email: EmailMessage) -> String {
        let to = email.kind == .acknowledgement ? "to the lead" : "to staff (" + email.recipients.joined(separator: ", ") + ")"
        switch email.status {
        case .queued: return email.kind.label + " queued " + to
        case .sent: return email.kind.label + " sent " + to + (email.queueID.map { ", queue id " + $0 } ?? "")
        case .batched: return "Staff email: in the next minute's summary"
        case .dropped: return email.kind.label + " not sent"
        case .failed: return email.kind.label + " failed"
        }
    }

    /// A SuiteDash call in words. A 404 that succeeded is a lookup that found nobody (SuiteDashKit
    /// records it without an error): what happens before a new contact is made.
    static func syncTitle(_ log: IntegrationLog) -> String {
        if log.httpStatus == 404, log.status == "success" {
            return "SuiteDash: no contact with this email yet (a normal first look)"
        }
        return "SuiteDash: " + log.action + " · " + log.status
    }
}
