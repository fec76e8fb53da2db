import Fluent
import MailKit
import Vapor

/// Admin > Email: the mail server (its password sealed, never shown), who hears of each enquiry
/// and how, the lead's acknowledgement; Send test email; and the latest emails with what became
/// of each. Each value is checked with a sentence naming the problem.
struct EmailAdminController {
    struct Form: Content {
        var host: String?
        var port: String?
        var encryption: String?
        var username: String?
        var password: String?
        var clear_password: String?
        var from_address: String?
        var from_name: String?
        var alert_to: String?
        var staff_mode: String?
        var digest_hour: String?
        var acknowledgement_on: String?
        var acknowledgement_subject: String?
        var acknowledgement_body: String?
        var business_footer: String?
    }

    struct TestForm: Content {
        var test_to: String?
    }

    struct Row: Encodable {
        let when: String, kind: String, to: String, subject: String, status: String, reason: String, queueID: String
        let enquiryID: Int?
    }

    struct Context: Encodable {
        let title: String, csrf: String, admin: String
        let notice: String?, warning: String?, errors: FieldErrors
        let fromEnvironment: Bool, passwordStored: Bool, catchesMail: Bool
        let host: String, port: String, encryption: String, username: String, fromAddress: String, fromName: String
        let alertTo: String, staffMode: String, digestHour: String
        let acknowledgementOn: Bool, acknowledgementSubject: String, acknowledgementBody: String, businessFooter: String
        let lastTest: String?, lastTestSuccess: Bool
        let testTo: String
        let rows: [Row]
    }

    @Sendable func show(req: Request) async throws -> Response {
        let (settings, problem) = try await req.services.email.settings(on: req.db).loadForPage()
        return try await render(req, notice: problem ?? req.notice, errors: [:], values: .init(settings), status: .ok)
    }

    @Sendable func save(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        let store = req.services.email.settings(on: req.db)
        var settings = try await store.loadForPage().settings
        var errors = FieldErrors()
        settings.host = TextSanitizer.singleLine(form.host ?? "")
        let port = TextSanitizer.singleLine(form.port ?? "")
        if port.isEmpty { settings.port = nil } else if let value = Int(port), (1...65535).contains(value) { settings.port = value } else {
            errors["port"] = "Enter the port as a number (587 for tls, 465 for ssl), or leave it empty for the usual one."
        }
        settings.encryption = SMTPConfiguration.Encryption(rawValue: form.encryption ?? "") ?? .startTLS
        if settings.encryption == .none, !settings.host.isEmpty, !SMTPConfiguration.isLoopback(settings.host) {
            errors["encryption"] = "None sends the password and every message in the clear, so it is only for a mail server on this machine; \(settings.host) is not. Choose STARTTLS or TLS."
        }
        settings.username = TextSanitizer.singleLine(form.username ?? "")
        let newPassword = form.password ?? ""
        let clear = form.clear_password == "on"
        if clear { settings.password = "" } else if !newPassword.isEmpty { settings.password = newPassword }
        settings.fromAddress = TextSanitizer.singleLine(form.from_address ?? "")
        if !settings.fromAddress.isEmpty, EmailAddress.normalize(settings.fromAddress) == nil {
            errors["fromAddress"] = "Enter the address emails come from, like leads@yourcompany.com."
        }
        if !settings.host.isEmpty, settings.fromAddress.isEmpty { errors["fromAddress"] = "Enter the address emails come from: mail servers refuse mail without one." }
        settings.fromName = TextSanitizer.singleLine(form.from_name ?? "")
        var staff: [String] = []
        for entry in (form.alert_to ?? "").split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == ";" }) {
            let trimmed = entry.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            if let address = EmailAddress.normalize(trimmed) { staff.append(address) } else {
                errors["alertTo"] = "\"\(trimmed.prefix(60))\" is not an email address; list staff inboxes separated by commas."
            }
        }
        settings.alertTo = staff
        settings.staffMode = EmailSettings.StaffMode(rawValue: form.staff_mode ?? "") ?? .each
        if let hour = Int(TextSanitizer.singleLine(form.digest_hour ?? "")), (0...23).contains(hour) { settings.digestHour = hour } else {
            errors["digestHour"] = "Enter the digest's hour as a number from 0 to 23 (UTC)."
        }
        settings.acknowledgementOn = form.acknowledgement_on == "on"
        settings.acknowledgementSubject = TextSanitizer.singleLine(form.acknowledgement_subject ?? "")
        settings.acknowledgementBody = TextSanitizer.multiLine(form.acknowledgement_body ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        settings.businessFooter = TextSanitizer.multiLine(form.business_footer ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for (field, text) in [("acknowledgementSubject", settings.acknowledgementSubject), ("acknowledgementBody", settings.acknowledgementBody)] {
            if let unknown = AcknowledgementEmail.unknownPlaceholder(in: text) {
                errors[field] = "\(unknown) is not a placeholder LeadBridge fills in; use {first_name}, {company} or {business_name}."
            }
        }
        if settings.acknowledgementOn {
            if settings.acknowledgementSubject.isEmpty { errors["acknowledgementSubject"] = "Enter the acknowledgement's subject." }
            if settings.acknowledgementBody.isEmpty { errors["acknowledgementBody"] = "Enter the acknowledgement's words, or turn it off." }
            if settings.businessFooter.isEmpty {
                errors["businessFooter"] = "Enter the business's postal address and a contact: an email to a lead must say who sent it and how to reach them."
            }
        }
        guard errors.isEmpty else {
            return try await render(req, notice: nil, errors: errors, values: .init(form), status: .unprocessableEntity)
        }
        try await store.save(settings, keepPassword: !clear && newPassword.isEmpty)
        return req.redirect(to: AdminURL.email.path, notice: "Saved.")
    }

    /// Send test email: at once, to the address given (the admin's own by default), with the
    /// server's answer in words. Kept in the list below like every email.
    @Sendable func test(req: Request) async throws -> Response {
        let form = try req.content.decode(TestForm.self)
        let admin = try req.auth.require(User.self).email
        let email = req.services.email
        let store = email.settings(on: req.db)
        let (settings, passwordProblem) = try await store.loadForPage()
        guard settings.canSend else {
            return req.redirect(to: AdminURL.email.path, notice: "Set the mail server and the From address first, and save.")
        }
        // Sent without the password, the server's refusal would hide the cause.
        if let passwordProblem { return req.redirect(to: AdminURL.email.path, notice: passwordProblem) }
        guard let to = EmailAddress.normalize(TextSanitizer.singleLine(form.test_to ?? "").isEmpty ? admin : TextSanitizer.singleLine(form.test_to ?? "")),
              let recipient = try? MailAddress(to) else {
            return req.redirect(to: AdminURL.email.path, notice: "Enter the address to send the test email to.")
        }
        let now = req.services.clock.now()
        let row = EmailMessage()
        row.kind = .test
        row.subjectKey = "test:" + UUID().uuidString.lowercased()
        row.toAddresses = to
        row.subject = "LeadBridge test email"
        row.status = .queued
        row.attempts = 1
        row.createdAt = now
        try await row.create(on: req.db)
        let sentence: String
        do {
            let from = try settings.sender()
            let message = MailMessage(from: from, to: [recipient], subject: "LeadBridge test email",
                                      text: "This is a test email from LeadBridge, sent from Admin > Email by \(admin).\n\nIf you can read it, staff emails and acknowledgements can be delivered.\n",
                                      html: EmailWords.page("<p>This is a test email from LeadBridge, sent from Admin &gt; Email by \(EmailWords.html(admin)).</p><p>If you can read it, staff emails and acknowledgements can be delivered.</p>"),
                                      date: now, messageID: "lb-test-\(row.id ?? 0)@" + from.domain, headers: [("Auto-Submitted", "auto-generated")])
            let delivery = try await email.send(message, settings: settings, action: "send test", enquiryID: nil)
            row.status = .sent
            row.sentAt = now
            row.queueID = String(delivery.queueID.prefix(200))
            sentence = "Test email accepted by \(settings.host) for \(to) (\(delivery.reply.code) \(delivery.queueID))."
        } catch {
            row.status = .failed
            row.reason = String(describing: error)
            sentence = "The test email was not sent: \(error)"
        }
        try await row.save(on: req.db)
        try await store.recordTest(success: row.status == .sent, message: sentence, at: now)
        return req.redirect(to: AdminURL.email.path, notice: sentence)
    }

    /// `leadbridge demo`'s page: what staff and leads would have received.
    @Sendable func caught(req: Request) async throws -> View {
        struct Caught: Encodable { let when: String, to: String, replyTo: String, subject: String, text: String, queueID: String }
        struct Page: Encodable { let title: String, csrf: String, admin: String, catchesMail: Bool, emails: [Caught] }
        let caught = req.services.email.catcher?.all ?? []
        return try await req.view.render("admin/emails-caught", Page(
            title: "Emails the demo sent", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            catchesMail: req.services.email.catcher != nil,
            emails: caught.map { item in
                Caught(when: AdminDate.format(item.at), to: item.message.to.map(\.address).joined(separator: ", "),
                       replyTo: item.message.replyTo?.address ?? "", subject: item.message.subject.value, text: item.message.text,
                       queueID: item.queueID)
            }))
    }

    /// The form's values as shown: the saved settings, or what was typed when it was refused.
    struct Values {
        var host, port, encryption, username, fromAddress, fromName, alertTo, staffMode, digestHour: String
        var acknowledgementOn: Bool
        var acknowledgementSubject, acknowledgementBody, businessFooter: String

        init(_ settings: EmailSettings) {
            host = settings.host
            port = settings.port.map(String.init) ?? ""
            encryption = settings.encryption.rawValue
            username = settings.username
            fromAddress = settings.fromAddress
            fromName = settings.fromName
            alertTo = settings.alertTo.joined(separator: ", ")
            staffMode = settings.staffMode.rawValue
            digestHour = String(settings.digestHour)
            acknowledgementOn = settings.acknowledgementOn
            acknowledgementSubject = settings.acknowledgementSubject
            acknowledgementBody = settings.acknowledgementBody
            businessFooter = settings.businessFooter
        }

        init(_ form: Form) {
            host = form.host ?? ""
            port = form.port ?? ""
            encryption = form.encryption ?? "tls"
            username = form.username ?? ""
            fromAddress = form.from_address ?? ""
            fromName = form.from_name ?? ""
            alertTo = form.alert_to ?? ""
            staffMode = form.staff_mode ?? "each"
            digestHour = form.digest_hour ?? ""
            acknowledgementOn = form.acknowledgement_on == "on"
            acknowledgementSubject = form.acknowledgement_subject ?? ""
            acknowledgementBody = form.acknowledgement_body ?? ""
            businessFooter = form.business_footer ?? ""
        }
    }

    private func render(_ req: Request, notice: String?, errors: FieldErrors, values: Values, status: HTTPStatus) async throws -> Response {
        let email = req.services.email
        let store = email.settings(on: req.db)
        let settings = try await store.loadForPage().settings
        let row = try await store.row()
        let recent = try await EmailMessage.query(on: req.db).sort(\.$id, .descending).limit(50).all()
        let admin = try req.auth.require(User.self).email
        let response = try await req.view.render("admin/email", Context(
            title: "Email", csrf: req.csrfToken, admin: admin, notice: notice,
            warning: try await EmailHealth.warning(on: req.db, now: req.services.clock.now()), errors: errors,
            fromEnvironment: !(try await store.isSaved()), passwordStored: row?.credentials?["password"] != nil || !settings.password.isEmpty, catchesMail: email.catcher != nil,
            host: values.host, port: values.port, encryption: values.encryption, username: values.username,
            fromAddress: values.fromAddress, fromName: values.fromName, alertTo: values.alertTo, staffMode: values.staffMode,
            digestHour: values.digestHour, acknowledgementOn: values.acknowledgementOn, acknowledgementSubject: values.acknowledgementSubject,
            acknowledgementBody: values.acknowledgementBody, businessFooter: values.businessFooter,
            lastTest: row?.lastTestedAt.map { AdminDate.format($0) + ": " + (row?.lastTestMessage ?? "") }, lastTestSuccess: row?.lastTestSuccess ?? false,
            testTo: admin,
            rows: recent.map { message in
                Row(when: AdminDate.format(message.sentAt ?? message.createdAt), kind: message.kind.label,
                    to: message.recipients.joined(separator: ", "), subject: message.subject ?? "", status: message.status.rawValue,
                    reason: message.reason ?? "", queueID: message.queueID ?? "", enquiryID: message.$enquiry.id)
            })).encodeResponse(for: req)
        response.status = status
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}
