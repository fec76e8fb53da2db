import Fluent
import Foundation
import MailKit

/// Sends one email (`email_messages`): a staff email or its minute's summary, the daily digest,
/// or a lead's acknowledgement. The rules are checked here, at send time, under a lock shared
/// by every worker: staff emails in the minute after one wait for one summary; a lead gets at
/// most one acknowledgement a day, never for spam. A 4xx answer (or no answer) is tried again
/// with backoff; a 5xx answer fails the email with the server's sentence.
struct SendEmail: JobKind {
    struct Payload: Codable, Sendable { let emailMessageID: Int }
    static let name = "email.send"
    static let maxAttempts = 12
    static let oncePerAddress: TimeInterval = 24 * 60 * 60

    let email: EmailService
    let speedToLead: SpeedToLeadService
    let secrets: SecretBox
    let clock: AppClock
    /// Where the links point (`APP_URL`).
    let appURL: String
    /// How long a job may run: the lock outlives it a little.
    let jobTimeoutSeconds: Double
    /// After one staff email, enquiries in this many seconds wait for one summary (0: none do).
    let summaryWindow: TimeInterval

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let peek = try await EmailMessage.find(payload.emailMessageID, on: context.db), peek.status == .queued else { return }
        let lockName: String
        switch peek.kind {
        // Staff emails decide their summaries together; without summaries each goes on its own
        // (one shared lock made a worker wait a second behind another's send: p99 3.2 s in the bench).
        case .staffAlert where summaryWindow == 0: lockName = "email:\(payload.emailMessageID)"
        case .staffAlert, .staffSummary: lockName = "email-staff-alerts"
        case .acknowledgement: lockName = "email-ack:" + secrets.mac(peek.toAddresses, purpose: "email_messages.lock")
        case .digest, .test: lockName = "email:\(payload.emailMessageID)"
        }
        let lock = AdvisoryLock(name: lockName, holder: "job-\(context.jobID)", ttl: jobTimeoutSeconds + 10)
        guard try await lock.acquire(on: context.db, now: clock.now()) else {
            throw JobFailure.deferred(1, "Another worker is sending this email's kind now.")
        }
        do {
            try await runLocked(payload, context: context)
        } catch {
            try? await lock.release(on: context.db)
            throw error
        }
        try await lock.release(on: context.db)
    }

    private func runLocked(_ payload: Payload, context: JobContext) async throws {
        let db = context.db
        guard let row = try await EmailMessage.find(payload.emailMessageID, on: db), row.status == .queued else { return }
        let settings = try await email.settings(on: db).load()
        guard settings.canSend else {
            return try await finish(row, .dropped, "Not sent: no mail server is set up any more (Admin > Email).", on: db)
        }
        let prepared: Prepared?
        switch row.kind {
        case .staffAlert: prepared = try await staffAlert(row, settings: settings, on: db)
        case .staffSummary: prepared = try await summary(row, settings: settings, on: db)
        case .digest: prepared = try await digest(row, settings: settings, on: db)
        case .acknowledgement: prepared = try await acknowledgement(row, settings: settings, on: db)
        case .test: prepared = nil
        }
        guard let prepared else { return }
        let message: MailMessage
        do {
            message = try mail(prepared, row: row, settings: settings)
        } catch {
            return try await finish(row, .failed, "Not sent: \(error)", on: db)
        }
        row.subject = message.subject.value
        row.attempts += 1
        do {
            let delivery = try await email.send(message, settings: settings, action: "send " + row.kind.rawValue, enquiryID: row.$enquiry.id)
            row.queueID = String(delivery.queueID.prefix(200))
            let refused = delivery.refused.isEmpty ? nil : "Refused for " + delivery.refused.map { "\($0.key) (\($0.value))" }.joined(separator: "; ")
            try await finish(row, .sent, refused, sentAt: clock.now(), on: db)
            for member in prepared.members {
                member.status = .sent
                member.sentAt = row.sentAt
                member.queueID = row.queueID
                try await member.save(on: db)
            }
        } catch let error as SMTPError {
            guard error.isTransient, context.attempt < Self.maxAttempts else {
                let tries = context.attempt > 1 ? " (after \(context.attempt) tries)" : ""
                return try await finish(row, .failed, error.description + tries, on: db)
            }
            row.reason = "Try \(context.attempt) did not go: \(error.description) It is tried again."
            try await row.save(on: db)
            throw JobFailure.retry(error.description)
        }
    }

    /// What one email says, before it is addressed.
    private struct Prepared {
        var content: StaffEmail.Content
        var to: [MailAddress]
        var replyTo: MailAddress?
        var autoSubmitted = "auto-generated"
        /// Staff emails a summary sends for.
        var members: [EmailMessage] = []
    }

    private func mail(_ prepared: Prepared, row: EmailMessage, settings: EmailSettings) throws -> MailMessage {
        let from = try settings.sender()
        guard !prepared.to.isEmpty else { throw MailAddressError.invalid(row.toAddresses) }
        var headers: [(name: String, value: MailHeaderText)] = [("Auto-Submitted", MailHeaderText(prepared.autoSubmitted))]
        if let id = row.$enquiry.id { headers.append(("X-LeadBridge-Enquiry", MailHeaderText(String(id)))) }
        // The same id on every try: a reader that got a try whose answer was lost shows one email.
        return MailMessage(from: from, to: prepared.to, replyTo: prepared.replyTo, subject: MailHeaderText(prepared.content.subject),
                           text: prepared.content.text, html: prepared.content.html, date: clock.now(),
                           messageID: "lb-\(row.kind.rawValue)-\(row.id ?? 0)@" + from.domain, headers: headers)
    }

    // MARK: To staff

    private func staffAlert(_ row: EmailMessage, settings: EmailSettings, on db: any Database) async throws -> Prepared? {
        guard let enquiry = try await wantedEnquiry(row, settings.canSend && settings.staffMode == .each, off: "staff emails were turned off", on: db) else { return nil }
        let form = try await Self.form(of: enquiry, on: db)
        let allowed = EmailService.staffAddresses(settings, form: form)
        let staff = row.recipients.filter(allowed.contains).compactMap { try? MailAddress($0) }
        guard !staff.isEmpty else {
            try await finish(row, .dropped, "Not sent: none of its addresses is a staff address any more.", on: db)
            return nil
        }
        // A summary still waiting for its minute, to the same addresses, takes this one too; so
        // does a minute opened by a staff email just sent to them. Each form's own addresses
        // get their own summaries: one inbox never hears of another's enquiries.
        let to = staff.map(\.address).joined(separator: ",")
        if let open = try await EmailMessage.query(on: db).filter(\.$kind == .staffSummary).filter(\.$status == .queued)
            .filter(\.$toAddresses == to).first() {
            try await join(row, summary: open, on: db)
            return nil
        }
        let now = clock.now()
        if let last = try await EmailMessage.query(on: db).filter(\.$kind ~~ [.staffAlert, .staffSummary]).filter(\.$status == .sent)
            .filter(\.$toAddresses == to).sort(\.$sentAt, .descending).first()?.sentAt,
            // Without a window, never a summary: another worker's send a moment after `now` read
            // as a negative interval, which is "within" a window of 0 (the email bench's drain).
            summaryWindow > 0, now.timeIntervalSince(last) < summaryWindow {
            let opensAt = last.addingTimeInterval(summaryWindow)
            let key = "summary:\(Int(opensAt.timeIntervalSince1970 * 1000))" + (to == settings.alertTo.joined(separator: ",") ? "" : ":" + secrets.mac(to, purpose: "email_messages.summary").prefix(16))
            try await db.transaction { tx in
                _ = try await email.queue([(.staffSummary, key, nil, to)], on: tx, delay: max(0, opensAt.timeIntervalSince(now)))
            }
            if let summary = try await EmailMessage.query(on: db).filter(\.$kind == .staffSummary).filter(\.$subjectKey == key).first() {
                try await join(row, summary: summary, on: db)
                return nil
            }
        }
        let replyTo = enquiry.email.flatMap { try? MailAddress($0, name: LeadAlertText.clip(enquiry.fullName, 60)) }
        let formName = form.flatMap { $0.slug == WebForm.contactSlug ? nil : $0.name }
        return Prepared(content: StaffEmail.single(enquiry, appURL: appURL, formName: formName), to: staff, replyTo: replyTo)
    }

    private func summary(_ row: EmailMessage, settings: EmailSettings, on db: any Database) async throws -> Prepared? {
        // As for each staff email: switched to Daily or Off during the minute, none goes.
        guard settings.staffMode == .each else {
            try await finish(row, .dropped, "Not sent: staff emails were turned off.", on: db)
            return nil
        }
        let members = try await EmailMessage.query(on: db).filter(\.$summaryID == row.id).filter(\.$status == .batched)
            .with(\.$enquiry).sort(\.$id).all()
        let enquiries = members.compactMap(\.enquiry)
        guard !enquiries.isEmpty else {
            try await finish(row, .dropped, "Not sent: every enquiry it would list was erased first.", on: db)
            return nil
        }
        // To the addresses its first staff email had (a form's own, or Admin > Email's), those
        // still staff addresses now: one the admin removed during the minute hears nothing more.
        guard !row.recipients.isEmpty else {
            return Prepared(content: StaffEmail.summary(enquiries, appURL: appURL), to: settings.staff(), members: members)
        }
        let forms = try await EmailService.forms(of: enquiries, on: db)
        let allowed = Set(enquiries.flatMap { EmailService.staffAddresses(settings, form: $0.formID.flatMap { forms[$0] }) })
        let to = row.recipients.filter(allowed.contains).compactMap { try? MailAddress($0) }
        guard !to.isEmpty else {
            try await finish(row, .dropped, "Not sent: none of its addresses is a staff address any more.", on: db)
            return nil
        }
        return Prepared(content: StaffEmail.summary(enquiries, appURL: appURL), to: to, members: members)
    }

    private func digest(_ row: EmailMessage, settings: EmailSettings, on db: any Database) async throws -> Prepared? {
        guard settings.digestOn else {
            try await finish(row, .dropped, "Not sent: the daily digest was turned off.", on: db)
            return nil
        }
        let previous = try await EmailMessage.query(on: db).filter(\.$kind == .digest).filter(\.$status == .sent)
            .filter(\.$id != row.id!).sort(\.$sentAt, .descending).first()?.sentAt
        let since = previous ?? row.createdAt.addingTimeInterval(-24 * 3600)
        let enquiries = try await Enquiry.query(on: db).filter(\.$createdAt > since).sort(\.$id).limit(1000).all()
        let day = String(row.subjectKey.dropFirst("digest:".count))
        return Prepared(content: StaffEmail.digest(enquiries, day: day, appURL: appURL), to: settings.staff())
    }

    private func join(_ row: EmailMessage, summary: EmailMessage, on db: any Database) async throws {
        row.status = .batched
        row.summaryID = summary.id
        row.reason = "In the summary of the minute's enquiries."
        try await row.save(on: db)
    }

    // MARK: To the lead

    private func acknowledgement(_ row: EmailMessage, settings: EmailSettings, on db: any Database) async throws -> Prepared? {
        let form = try await Self.form(of: try await row.$enquiry.get(on: db), on: db)
        guard let enquiry = try await wantedEnquiry(row, EmailService.acknowledges(settings, form: form),
                                                    off: form?.acknowledges == false ? "its form sends no acknowledgement" : "acknowledgement emails were turned off",
                                                    on: db) else {
            return nil
        }
        if AcknowledgementEmail.isWithheld(enquiry) {
            try await finish(row, .dropped, "Not sent: the enquiry is marked \(enquiry.status.rawValue), and spam gets no reply.", on: db)
            return nil
        }
        let now = clock.now()
        if let earlier = try await EmailMessage.query(on: db).filter(\.$kind == .acknowledgement).filter(\.$toAddresses == row.toAddresses)
            .filter(\.$status == .sent).filter(\.$sentAt > now.addingTimeInterval(-Self.oncePerAddress)).first(), let at = earlier.sentAt {
            try await finish(row, .dropped, "Not sent: this address had one \(FirstContactText.duration(Int(now.timeIntervalSince(at)))) ago, and gets at most one a day.", on: db)
            return nil
        }
        guard let to = try? MailAddress(row.toAddresses, name: LeadAlertText.clip(enquiry.fullName, 60)) else {
            try await finish(row, .dropped, "Not sent: \(row.toAddresses) is not an address a mail server takes.", on: db)
            return nil
        }
        let business = try await speedToLead.settings(on: db).load().businessName
        let content = AcknowledgementEmail.render(subject: settings.acknowledgementSubject, body: settings.acknowledgementBody,
                                                  footer: settings.businessFooter, businessName: business.isEmpty ? (settings.fromName) : business,
                                                  enquiry: enquiry)
        return Prepared(content: content, to: [to], replyTo: nil, autoSubmitted: "auto-replied")
    }

    /// The form an enquiry came through, when it still exists.
    private static func form(of enquiry: Enquiry?, on db: any Database) async throws -> WebForm? {
        guard let id = enquiry?.formID else { return nil }
        return try await WebForm.find(id, on: db)
    }

    /// The email's enquiry while the email is still wanted (its kind on, the enquiry not erased);
    /// otherwise the email is dropped with the reason, and nil.
    private func wantedEnquiry(_ row: EmailMessage, _ isOn: Bool, off: String, on db: any Database) async throws -> Enquiry? {
        guard isOn else {
            try await finish(row, .dropped, "Not sent: \(off).", on: db)
            return nil
        }
        guard let enquiry = try await row.$enquiry.get(on: db) else {
            try await finish(row, .dropped, "Not sent: the enquiry was erased first.", on: db)
            return nil
        }
        return enquiry
    }

    private func finish(_ row: EmailMessage, _ status: EmailMessage.Status, _ reason: String?, sentAt: Date? = nil, on db: any Database) async throws {
        row.status = status
        row.reason = reason
        if let sentAt { row.sentAt = sentAt }
        try await row.save(on: db)
        // A summary that does not go takes its staff emails with it, reason and all.
        if row.kind == .staffSummary, status != .sent, let id = row.id {
            for member in try await EmailMessage.query(on: db).filter(\.$summaryID == id).filter(\.$status == .batched).all() {
                member.status = status
                member.reason = reason.map { "In a summary that was not sent. " + $0 }
                try await member.save(on: db)
            }
        }
    }

    /// Hourly: at the digest's hour (UTC), the day's digest is queued once.
    static func digestTask(email: EmailService, clock: AppClock) -> RecurringTask {
        RecurringTask(name: "email-digest", interval: 3600) { _, db in
            let settings = try await email.settings(on: db).load(openingPassword: false)
            let now = clock.now()
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            guard settings.digestOn, calendar.component(.hour, from: now) == settings.digestHour else { return }
            let day = calendar.dateComponents([.year, .month, .day], from: now)
            let key = String(format: "digest:%04d-%02d-%02d", day.year ?? 0, day.month ?? 0, day.day ?? 0)
            try await email.queue([(.digest, key, nil, settings.alertTo.joined(separator: ","))], on: db)
        }
    }
}
