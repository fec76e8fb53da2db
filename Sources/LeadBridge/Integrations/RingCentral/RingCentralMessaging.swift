import Fluent
import Foundation
import RingCentralKit
import Vapor

/// Click-to-call and SMS for one enquiry: the guide's `initiateCall(toNumber:fromNumber:)`
/// and `sendSms(toNumber:message:fromNumber:)`, with the number rules in one place.
struct RingCentralMessaging {
    /// Counted in UTF-16 code units, as RingCentral counts (the spec's `CreateSMSMessage.text`):
    /// an emoji or another character outside the Basic Multilingual Plane counts as two. The
    /// page's counter and the textarea's `maxlength` count the same way.
    static let maxSMSLength = 1000

    enum Failure: Error, CustomStringConvertible {
        case notConnected
        case invalidNumber(field: String)
        case noOfficePhone
        case cannotSendSMS(String)
        case noSMSNumber
        case emptyText
        case textTooLong(Int)
        /// The number texted STOP; a person may still text it, after saying so.
        case optedOut(Date)

        var description: String {
            switch self {
            case .notConnected: return "RingCentral is not connected: connect it under Integrations > RingCentral first."
            case .invalidNumber(let field):
                return "The \(field) number must be in international format: a + and 7 to 15 digits, like +16505550123."
            case .noOfficePhone:
                return "There is no office phone to ring first: set yours, or a default under Integrations > RingCentral."
            case .cannotSendSMS(let number):
                return "\(number) can't send SMS: RingCentral lists it without the SmsSender feature. Choose another number."
            case .noSMSNumber: return "None of the extension's numbers can send SMS (none has the SmsSender feature)."
            case .emptyText: return "Write the message first."
            case .optedOut(let date):
                return "This number texted STOP on \(AdminDate.format(date)): they asked not to be texted. Tick \"Send anyway\" only if they asked you to text them since (RingCentral itself may not deliver it until they text START)."
            case .textTooLong(let count):
                return "The message is \(count) characters long as RingCentral counts them (an emoji counts as two); RingCentral accepts at most \(maxSMSLength). Shorten it and send again."
            }
        }
    }

    let service: RingCentralService

    // MARK: Click-to-call

    /// Which phone RingCentral rings first: the one given, else the admin's own, else the
    /// configured default, else the extension's first direct number.
    static func officePhone(given: String?, user: User?, configuration: RingCentralSettings,
                            extension snapshot: RingCentralExtensionSnapshot?) -> String? {
        if let given, !given.isEmpty { return given }
        if let own = user?.officePhone { return own }
        if let fallback = configuration.defaultFromNumber { return fallback }
        let numbers = snapshot?.phoneNumbers ?? []
        return (numbers.first { $0.usageType == "DirectNumber" } ?? numbers.first)?.phoneNumber
    }

    /// The number the lead sees: the first with the CallerId feature, a direct number first.
    static func callerID(_ snapshot: RingCentralExtensionSnapshot?) -> String? {
        let candidates = (snapshot?.phoneNumbers ?? []).filter(\.canBeCallerID)
        return (candidates.first { $0.usageType == "DirectNumber" } ?? candidates.first)?.phoneNumber
    }

    func initiateCall(toNumber: String, fromNumber: String?, user: User?, enquiryID: Int?) async throws -> RingCentralRingOut {
        guard let to = PhoneNumber.e164(toNumber) else { throw Failure.invalidNumber(field: "lead's") }
        var given: String?
        if let fromNumber, !fromNumber.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let from = PhoneNumber.e164(fromNumber) else { throw Failure.invalidNumber(field: "office phone") }
            given = from
        }
        let configuration = try await service.settings.load()
        let snapshot = try await connectedExtension()
        guard let from = Self.officePhone(given: given, user: user, configuration: configuration, extension: snapshot) else {
            throw Failure.noOfficePhone
        }
        let client = try service.client(configuration, options: .interactive, relatedType: IntegrationLog.aboutEnquiry, relatedID: enquiryID)
        let ringOut = try await client.ringOut(from: from, to: to, callerID: Self.callerID(snapshot))
        // A person called the lead: the enquiry's first contact, if it is the first.
        try await FirstContact.record(phone: to, at: service.context.clock.now(), on: service.context.db)
        return ringOut
    }

    func ringOutStatus(id: String, enquiryID: Int?) async throws -> RingCentralRingOut {
        try await service.client(options: .interactive, relatedType: IntegrationLog.aboutEnquiry, relatedID: enquiryID).ringOutStatus(id: id)
    }

    func cancelRingOut(id: String, enquiryID: Int?) async throws {
        try await service.client(options: .interactive, relatedType: IntegrationLog.aboutEnquiry, relatedID: enquiryID).cancelRingOut(id: id)
    }

    // MARK: SMS

    /// The number texts go from: the one chosen (it must have SmsSender), else the first that has.
    static func smsSender(chosen: String?, snapshot: RingCentralExtensionSnapshot?) throws -> String {
        let numbers = snapshot?.phoneNumbers ?? []
        if let chosen, !chosen.isEmpty {
            guard let e164 = PhoneNumber.e164(chosen) else { throw Failure.invalidNumber(field: "sending") }
            guard numbers.first(where: { $0.phoneNumber == e164 })?.canSendSMS == true else { throw Failure.cannotSendSMS(e164) }
            return e164
        }
        guard let first = numbers.first(where: \.canSendSMS) else { throw Failure.noSMSNumber }
        return first.phoneNumber
    }

    /// Stores the message first (so a crash loses nothing), sends it, and records
    /// RingCentral's id and status, or its refusal in words.
    /// A number that texted STOP is refused unless `overrideOptOut` says the person confirmed.
    func sendSMS(toNumber: String, message: String, fromNumber: String?, user: User?, enquiryID: Int?,
                 overrideOptOut: Bool = false) async throws -> SMSMessage {
        guard let to = PhoneNumber.e164(toNumber) else { throw Failure.invalidNumber(field: "lead's") }
        let text = message.replacingOccurrences(of: "\r\n", with: "\n")
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw Failure.emptyText }
        guard text.utf16.count <= Self.maxSMSLength else { throw Failure.textTooLong(text.utf16.count) }
        if !overrideOptOut, let stopped = try await DoNotText(secrets: service.context.secrets).isOptedOut(to, on: service.context.db) {
            throw Failure.optedOut(stopped)
        }
        let snapshot = try await connectedExtension()
        let from = try Self.smsSender(chosen: fromNumber, snapshot: snapshot)

        let row = try await storeOutgoing(from: from, to: to, text: text, enquiryID: enquiryID) { $0.sentByUserID = user?.id }
        let sent: RingCentralMessage
        do {
            let client = try await service.client(options: .interactive, relatedType: IntegrationLog.aboutEnquiry, relatedID: enquiryID)
            sent = try await client.sendSMS(from: from, to: to, text: text)
        } catch {
            // Not sent: say why on the row, whatever the failure was.
            row.status = "SendingFailed"
            row.error = (error as? RingCentralError).map(Self.explain) ?? String(describing: error)
            try await row.save(on: service.context.db)
            return row
        }
        do {
            // A person texted the lead: the enquiry's first contact, if it is the first.
            try await recordAccepted(row, sent) { tx in try await FirstContact.record(phone: to, at: row.sentAt ?? Date(), on: tx) }
        } catch {
            // RingCentral took it: the admin must not send it again thinking it failed.
            service.context.logger.error("SMS sent but not recorded", metadata: ["ringcentral_id": .string(String(sent.id)), "error": .string("\(error)")])
            throw Abort(.internalServerError, reason: "The text was sent (RingCentral id \(sent.id)) but could not be recorded here; do not send it again.")
        }
        return row
    }

    /// A text about to go, stored before RingCentral is asked: a crash loses nothing, and a
    /// retry finds it instead of sending again. `describe` adds who or what sent it.
    func storeOutgoing(from: String, to: String, text: String, enquiryID: Int?,
                       _ describe: (SMSMessage) -> Void = { _ in }) async throws -> SMSMessage {
        let row = SMSMessage()
        row.direction = .outbound
        row.fromNumber = from
        row.toNumber = to
        row.text = text
        row.status = "Sending"
        row.$enquiry.id = enquiryID
        describe(row)
        try await row.create(on: service.context.db)
        return row
    }

    /// RingCentral took the text: its id and status, and a job that follows the status until it
    /// is final, with `alongside` in the same transaction.
    func recordAccepted(_ row: SMSMessage, _ sent: RingCentralMessage,
                        alongside: @escaping @Sendable (any Database) async throws -> Void = { _ in }) async throws {
        row.ringCentralID = String(sent.id)
        row.status = sent.messageStatus ?? "Queued"
        row.sentAt = service.context.clock.now()
        let queue = service.context.jobQueue
        try await service.context.db.transaction { tx in
            try await row.save(on: tx)
            if !row.isFinal, let id = row.id {
                try await queue.enqueue(RefreshSMSStatus.self, .init(messageID: id), on: tx, delay: 2)
            }
            try await alongside(tx)
        }
    }

    /// RingCentral's refusals in words an admin can act on.
    static func explain(_ error: RingCentralError) -> String {
        switch error {
        case .request(_, _, let message, let parameter) where parameter?.lowercased().contains("from") == true:
            return "RingCentral refused the sending number: \(message)"
        case .request(_, _, let message, let parameter) where parameter?.lowercased().contains("to") == true:
            return "RingCentral refused the lead's number: \(message)"
        default:
            return error.description
        }
    }

    /// The connected extension's numbers; `Failure.notConnected` without tokens.
    func connectedExtension() async throws -> RingCentralExtensionSnapshot? {
        guard try await RingCentralTokenRecord.isConnected(on: service.context.db) else { throw Failure.notConnected }
        return try await RingCentralAccountRecord.query(on: service.context.db).first()?.primaryExtension
    }
}
