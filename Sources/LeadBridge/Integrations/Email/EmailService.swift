import Fluent
import Foundation
import MailKit
import NIOConcurrencyHelpers
import SQLKit

/// Email, built once: the settings, the one SMTP client for them (made again only when an admin
/// changes them), the audit line for every message, and the emails each new enquiry deserves,
/// decided inside the enquiry's transaction and sent by durable jobs (`SendEmail`).
final class EmailService: Sendable {
    let context: IntegrationContext
    /// `leadbridge demo`: messages are kept here and nothing leaves the process.
    let catcher: EmailCatcher?
    private let client = NIOLockedValueBox<(SMTPConfiguration, SMTPClient)?>(nil)

    init(context: IntegrationContext) {
        self.context = context
        catcher = context.config.mail.catchesMail ? EmailCatcher() : nil
    }

    func settings(on db: any Database) -> EmailSettingsStore {
        EmailSettingsStore(database: db, environment: context.config.mail, secrets: context.secrets)
    }

    /// Sends one message, reported to `integration_logs` (provider `email`: the subject and the
    /// server's reply, never the body or the password). Throws `SMTPError`.
    func send(_ message: MailMessage, settings: EmailSettings, action: String, enquiryID: Int?) async throws -> SMTPDelivery {
        if let catcher { return catcher.keep(message) }
        let client = try client(for: settings.smtp)
        let started = ContinuousClock.now
        do {
            let delivery = try await client.send(message)
            await log(action, message, enquiryID: enquiryID, started: started, reply: delivery.reply.text, code: delivery.reply.code, error: nil)
            return delivery
        } catch let error as SMTPError {
            await log(action, message, enquiryID: enquiryID, started: started, reply: nil, code: error.code, error: error.description)
            throw error
        }
    }

    /// Connects and signs in without sending: Admin > Email's check before a test message.
    func verify(_ settings: EmailSettings) async throws {
        if catcher != nil { return }
        try await client(for: settings.smtp).verify()
    }

    private func client(for configuration: SMTPConfiguration) throws -> SMTPClient {
        try client.withLockedValue { cached in
            if let entry = cached, entry.0 == configuration { return entry.1 }
            let made = try SMTPClient(configuration: configuration, eventLoopGroup: context.eventLoop)
            cached = (configuration, made)
            return made
        }
    }

    private func log(_ action: String, _ message: MailMessage, enquiryID: Int?, started: ContinuousClock.Instant,
                     reply: String?, code: Int?, error: String?) async {
        let elapsed = ContinuousClock.now - started
        let payload = try? JSONSerialization.data(withJSONObject: ["subject": message.subject.value, "recipients": message.to.count])
        let response = reply.flatMap { try? JSONSerialization.data(withJSONObject: ["reply": $0]) }
        await context.logs.record(.init(provider: Self.provider, action: action,
                                        relatedType: enquiryID == nil ? nil : IntegrationLog.aboutEnquiry, relatedID: enquiryID,
                                        payload: payload, response: response, httpStatus: code,
                                        durationMS: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
                                        errorMessage: error))
    }

    static let provider = "email"

    // MARK: Planning, in the enquiry's transaction

    /// The staff email and the acknowledgement new enquiries deserve. Returns whether jobs were queued.
    func planForNewEnquiries(_ ids: [Int], on db: any Database) async throws -> Bool {
        guard !ids.isEmpty else { return false }
        // Only who is emailed: the password is opened when a message is sent, so one sealed under
        // another APP_KEY fails that send, never the enquiry's commit.
        let settings = try await settings(on: db).load(openingPassword: false)
        guard settings.canSend else { return false }
        let enquiries = try await Enquiry.query(on: db).filter(\.$id ~~ ids).all()
        let forms = try await Self.forms(of: enquiries, on: db)
        var rows: [(EmailMessage.Kind, String, Int?, String)] = []
        for enquiry in enquiries {
            guard let id = enquiry.id else { continue }
            let form = enquiry.formID.flatMap { forms[$0] }
            let staff = Self.staffAddresses(settings, form: form)
            if settings.staffMode == .each, !staff.isEmpty { rows.append((.staffAlert, "enquiry:\(id)", id, staff.joined(separator: ","))) }
            if Self.acknowledges(settings, form: form), let email = enquiry.email, !AcknowledgementEmail.isWithheld(enquiry) {
                rows.append((.acknowledgement, "enquiry:\(id)", id, email))
            }
        }
        return try await queue(rows, on: db)
    }

    /// Where a form's staff emails go: its own addresses (Admin > Forms), else Admin > Email's.
    static func staffAddresses(_ settings: EmailSettings, form: WebForm?) -> [String] {
        if let own = form?.alertEmailTo, !own.isEmpty { return own }
        return settings.alertTo
    }

    /// Whether a form's leads get the acknowledgement: the form's choice, else Admin > Email's.
    static func acknowledges(_ settings: EmailSettings, form: WebForm?) -> Bool {
        settings.canSend && (form?.acknowledges ?? settings.acknowledgementOn)
    }

    /// The forms the enquiries came through, by id.
    static func forms(of enquiries: [Enquiry], on db: any Database) async throws -> [Int: WebForm] {
        let ids = Array(Set(enquiries.compactMap(\.formID)))
        guard !ids.isEmpty else { return [:] }
        var forms: [Int: WebForm] = [:]
        for form in try await WebForm.query(on: db).filter(\.$id ~~ ids).all() { if let id = form.id { forms[id] = form } }
        return forms
    }

    /// Writes the rows (once per kind and subject) and one `SendEmail` job for each new one.
    @discardableResult
    func queue(_ rows: [(EmailMessage.Kind, String, Int?, String)], on db: any Database, delay: TimeInterval = 0) async throws -> Bool {
        guard !rows.isEmpty else { return false }
        let time = context.clock.now()
        var insert = try db.sql().insert(into: EmailMessage.schema)
            .columns("kind", "subject_key", "contact_submission_id", "to_addresses", "status", "attempts", "created_at", "updated_at")
        for (kind, key, enquiry, to) in rows {
            insert = insert.values(SQLBind(kind.rawValue), SQLBind(key), SQLBind(enquiry), SQLBind(to),
                                   SQLBind(EmailMessage.Status.queued.rawValue), SQLBind(0), SQLBind(time), SQLBind(time))
        }
        let inserted = try await insert.ignoringConflicts(with: ["kind", "subject_key"]).returning("id").all()
        let ids = try inserted.map { try $0.decode(column: "id", as: Int.self) }
        guard !ids.isEmpty else { return false }
        try await context.jobQueue.enqueueMany(SendEmail.self, ids.map { .init(emailMessageID: $0) }, on: db, delay: delay)
        return true
    }
}

/// The demo's outbox: every message `leadbridge demo` would have sent, newest first, kept in
/// memory for "Emails the demo sent".
final class EmailCatcher: Sendable {
    struct Caught: Sendable {
        let message: MailMessage
        let queueID: String
        let at: Date
    }

    private let kept = NIOLockedValueBox<[Caught]>([])

    func keep(_ message: MailMessage) -> SMTPDelivery {
        let id = "demo-" + UUID().uuidString.prefix(8).lowercased()
        kept.withLockedValue { list in
            list.insert(Caught(message: message, queueID: id, at: Date()), at: 0)
            if list.count > 200 { list.removeLast() }
        }
        return SMTPDelivery(reply: SMTPReply(code: 250, lines: ["2.0.0 Ok: queued as " + id]), refused: [:])
    }

    var all: [Caught] { kept.withLockedValue { $0 } }
}
