import Fluent
import Vapor

/// Admin > Speed to lead: the staff alert numbers, the instant reply, the missed-call text and
/// their limits, each checked with a sentence naming the problem; and the latest automatic
/// texts with what became of each.
struct SpeedToLeadController {
    struct Form: Content {
        var alert_numbers: String?
        var business_name: String?
        var auto_reply: String?
        var missed_call_text_back: String?
        var hourly_cap: String?
        var freshness_minutes: String?
    }

    struct Row: Encodable {
        let when: String, kind: String, to: String, status: String, reason: String
        let enquiryID: Int?
    }

    struct Context: Encodable {
        let title: String, csrf: String, admin: String
        let notice: String?, blocker: String?, errors: FieldErrors
        let fromEnvironment: Bool
        let alertNumbers: String, businessName: String, autoReply: String, missedCall: String
        let hourlyCap: String, freshnessMinutes: String
        let optOutLine: String, maxLength: Int
        let rows: [Row]
    }

    @Sendable func show(req: Request) async throws -> Response {
        let settings = try await req.services.speedToLead.settings(on: req.db).load()
        return try await render(req, notice: req.notice, errors: [:], values: .init(settings), status: .ok)
    }

    @Sendable func save(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        var settings = SpeedToLeadSettings()
        var errors = FieldErrors()
        switch SpeedToLeadSettings.parseNumbers(form.alert_numbers ?? "", naming: .admin) {
        case .success(let numbers): settings.alertNumbers = numbers
        case .failure(let problem): errors[problem.field.rawValue] = problem.sentence
        }
        settings.businessName = TextSanitizer.singleLine(form.business_name ?? "")
        settings.autoReply = TextSanitizer.multiLine(form.auto_reply ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        settings.missedCallTextBack = TextSanitizer.multiLine(form.missed_call_text_back ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if let cap = Int(TextSanitizer.singleLine(form.hourly_cap ?? "")) { settings.hourlyCap = cap } else {
            errors[SpeedToLeadSettings.Field.hourlyCap.rawValue] = "Enter how many automatic texts may go in an hour, as a whole number."
        }
        if let minutes = Int(TextSanitizer.singleLine(form.freshness_minutes ?? "")) { settings.freshnessMinutes = minutes } else {
            errors[SpeedToLeadSettings.Field.freshness.rawValue] = "Enter the minutes as a whole number."
        }
        for problem in settings.problems(naming: .admin) where errors[problem.field.rawValue] == nil {
            errors[problem.field.rawValue] = problem.sentence
        }
        guard errors.isEmpty else {
            return try await render(req, notice: nil, errors: errors, values: .init(form), status: .unprocessableEntity)
        }
        try await req.services.speedToLead.settings(on: req.db).save(settings)
        return req.redirect(to: AdminURL.speedToLead.path, notice: "Saved.")
    }

    /// The form's values as shown: the saved settings, or what was typed when it was refused.
    struct Values {
        var alertNumbers, businessName, autoReply, missedCall, hourlyCap, freshness: String

        init(_ settings: SpeedToLeadSettings) {
            alertNumbers = settings.alertNumbers.joined(separator: ", ")
            businessName = settings.businessName
            autoReply = settings.autoReply
            missedCall = settings.missedCallTextBack
            hourlyCap = String(settings.hourlyCap)
            freshness = String(settings.freshnessMinutes)
        }

        init(_ form: Form) {
            alertNumbers = form.alert_numbers ?? ""
            businessName = form.business_name ?? ""
            autoReply = form.auto_reply ?? ""
            missedCall = form.missed_call_text_back ?? ""
            hourlyCap = form.hourly_cap ?? ""
            freshness = form.freshness_minutes ?? ""
        }
    }

    private func render(_ req: Request, notice: String?, errors: FieldErrors, values: Values, status: HTTPStatus) async throws -> Response {
        let store = req.services.speedToLead.settings(on: req.db)
        let settings = try await store.load()
        let recent = try await AutomaticText.query(on: req.db).sort(\.$id, .descending).limit(50).all()
        let response = try await req.view.render("admin/speed-to-lead", Context(
            title: "Speed to lead", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            notice: notice, blocker: try await SpeedToLeadService.blocker(settings, on: req.db), errors: errors,
            fromEnvironment: !(try await store.isSaved()),
            alertNumbers: values.alertNumbers, businessName: values.businessName, autoReply: values.autoReply,
            missedCall: values.missedCall, hourlyCap: values.hourlyCap, freshnessMinutes: values.freshness,
            optOutLine: TextTemplate.optOutLine, maxLength: RingCentralMessaging.maxSMSLength,
            rows: recent.map { text in
                Row(when: AdminDate.format(text.sentAt ?? text.createdAt), kind: text.kind.label, to: text.toNumbers.replacingOccurrences(of: ",", with: ", "),
                    status: text.status.rawValue, reason: text.reason ?? "", enquiryID: text.$enquiry.id)
            })).encodeResponse(for: req)
        response.status = status
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}
