import Fluent
import Foundation

/// The JSON file an admin sends a person who asked what LeadBridge holds about them.
struct PersonExport: Encodable {
    struct Export: Encodable { let fileName: String; let createdAt: Date? }
    struct LogRow: Encodable {
        let provider: String, action: String, status: String, httpStatus: Int?, createdAt: Date?
        let request: RedactedJSON?, response: RedactedJSON?, error: String?
    }

    /// What became of an automatic text about them. A staff alert's numbers are the business's
    /// staff, not theirs: left out.
    struct AutomaticTextRow: Encodable {
        let kind: String, status: String, reason: String?, to: String?, createdAt: Date, sentAt: Date?
    }

    /// Calls and texts tied to their enquiries only by a phone number typed into a form: listed
    /// apart, since nothing proved that number is the person's.
    struct PhoneLinked: Encodable {
        let note: String
        let numbers: [String]
        let calls: [CallLog]
        let texts: [SMSMessage]
    }

    let exportedAt: Date
    let lookedUpBy: [String: String]
    let note: String
    let enquiries: [Enquiry]
    let calls: [CallLog]
    let texts: [SMSMessage]
    let csvExports: [Export]
    let integrationLogRows: [LogRow]
    let automaticTexts: [AutomaticTextRow]
    /// When their phone texted STOP (kept, as a hash, even after an erasure); nil if it has not.
    let textsOptedOutAt: Date?
    /// Present only when the admin included them.
    let linkedByTypedPhone: PhoneLinked?

    /// The file's bytes: readable JSON, keys sorted, ISO 8601 dates.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    static func make(_ person: PersonQuery, found: PersonData.Found, doNotText: DoNotText, on db: any Database, now: Date) async throws -> PersonExport {
        var lookedUp: [String: String] = [:]
        lookedUp["email"] = person.email
        lookedUp["phone"] = person.phone
        var optedOut: Date?
        if let phone = person.phone { optedOut = try await doNotText.isOptedOut(phone, on: db) }
        return PersonExport(
            exportedAt: now, lookedUpBy: lookedUp,
            note: "What this server holds about the person. SuiteDash (the CRM) and RingCentral (calls and texts) keep their own records, exported from their own apps.",
            enquiries: found.enquiryIDs.isEmpty ? [] : try await Enquiry.query(on: db).filter(\.$id ~~ found.enquiryIDs).sort(\.$id).all(),
            calls: found.callIDs.isEmpty ? [] : try await CallLog.query(on: db).filter(\.$id ~~ found.callIDs).sort(\.$id).all(),
            texts: found.textIDs.isEmpty ? [] : try await SMSMessage.query(on: db).filter(\.$id ~~ found.textIDs).sort(\.$id).all(),
            csvExports: found.exportIDs.isEmpty ? [] : try await SuiteDashExport.query(on: db).filter(\.$id ~~ found.exportIDs).sort(\.$id).all()
                .map { Export(fileName: $0.fileName, createdAt: $0.createdAt) },
            integrationLogRows: found.logIDs.isEmpty ? [] : try await IntegrationLog.query(on: db).filter(\.$id ~~ found.logIDs).sort(\.$id).all()
                .map { row in
                    // A row that only names them (a call-log page, a webhook) may name others too:
                    // what happened and when, not its body. Their own enquiries' rows come whole.
                    let theirs = row.relatedType == IntegrationLog.aboutEnquiry && row.relatedID.map(found.enquiryIDs.contains) == true
                    return LogRow(provider: row.provider, action: row.action, status: row.status, httpStatus: row.httpStatus,
                                  createdAt: row.createdAt, request: theirs ? row.payload : nil, response: theirs ? row.response : nil,
                                  error: theirs ? row.errorMessage : nil)
                },
            automaticTexts: found.automaticTextIDs.isEmpty ? [] : try await AutomaticText.query(on: db).filter(\.$id ~~ found.automaticTextIDs).sort(\.$id).all()
                .map { text in
                    AutomaticTextRow(kind: text.kind.rawValue, status: text.status.rawValue, reason: text.reason,
                                     to: text.kind.isToLead ? text.toNumbers : nil, createdAt: text.createdAt, sentAt: text.sentAt)
                },
            textsOptedOutAt: optedOut,
            linkedByTypedPhone: found.phoneLinkedCallIDs.isEmpty && found.phoneLinkedTextIDs.isEmpty ? nil : PhoneLinked(
                note: "Calls and texts with the phone number typed into these enquiries. A number typed into a form is not proof of whose it is: included because the admin confirmed it is this person's.",
                numbers: found.phoneLinkedNumbers,
                calls: found.phoneLinkedCallIDs.isEmpty ? [] : try await CallLog.query(on: db).filter(\.$id ~~ found.phoneLinkedCallIDs).sort(\.$id).all(),
                texts: found.phoneLinkedTextIDs.isEmpty ? [] : try await SMSMessage.query(on: db).filter(\.$id ~~ found.phoneLinkedTextIDs).sort(\.$id).all()))
    }
}
