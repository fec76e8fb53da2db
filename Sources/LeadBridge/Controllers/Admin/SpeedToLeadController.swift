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
        var sms_consent_text: String?
        var help_reply: String?
        var auto_reply_after_hours: String?
        var missed_call_after_hours: String?
        var hold_alerts_when_closed: String?
        var hours_from_ringcentral: String?
        var time_zone: String?
        var hours_monday: String?, hours_tuesday: String?, hours_wednesday: String?, hours_thursday: String?
        var hours_friday: String?, hours_saturday: String?, hours_sunday: String?

        func hours(_ day: String) -> String? {
            switch day {
            case "monday": return hours_monday
            case "tuesday": return hours_tuesday
            case "wednesday": return hours_wednesday
            case "thursday": return hours_thursday
            case "friday": return hours_friday
            case "saturday": return hours_saturday
            default: return hours_sunday
            }
        }
    }

    struct Day: Encodable { let name: String; let label: String; let value: String }

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
        let smsConsentText: String, helpReply: String, autoReplyAfterHours: String, missedCallAfterHours: String
        let holdAlertsWhenClosed: Bool, hoursFromRingCentral: Bool, timeZone: String, days: [Day]
        /// Which business hours apply, in a sentence.
        let hoursSentence: String
        let optOutLine: String, maxLength: Int
        let rows: [Row]
    }

    @Sendable func show(req: Request) async throws -> Response {
        let settings = try await req.services.speedToLead.settings(on: req.db).load()
        return try await render(req, notice: req.notice, errors: [:], values: .init(settings), status: .ok)
    }

    @Sendable func save(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        // A field the form did not post (an older page, a script) keeps its current value.
        let current = try await req.services.speedToLead.settings(on: req.db).load()
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
        func words(_ text: String?) -> String {
            TextSanitizer.multiLine(text ?? "").replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        settings.smsConsentText = form.sms_consent_text.map { TextSanitizer.singleLine($0) } ?? current.smsConsentText
        settings.helpReply = form.help_reply.map { words($0) } ?? current.helpReply
        settings.autoReplyAfterHours = form.auto_reply_after_hours.map { words($0) } ?? current.autoReplyAfterHours
        settings.missedCallAfterHours = form.missed_call_after_hours.map { words($0) } ?? current.missedCallAfterHours
        // A checkbox left unticked posts nothing: absent is no.
        settings.holdAlertsWhenClosed = form.hold_alerts_when_closed != nil
        settings.hoursFromRingCentral = form.hours_from_ringcentral != nil
        settings.timeZone = form.time_zone.map { TextSanitizer.singleLine($0) } ?? current.timeZone
        for day in BusinessHours.days {
            guard let posted = form.hours(day) else {
                if let ranges = current.weeklyHours[day] { settings.weeklyHours[day] = ranges }
                continue
            }
            let typed = TextSanitizer.singleLine(posted)
            if let ranges = BusinessHours.parseDay(typed) {
                if !ranges.isEmpty { settings.weeklyHours[day] = ranges }
            } else if errors[SpeedToLeadSettings.Field.hours.rawValue] == nil {
                errors[SpeedToLeadSettings.Field.hours.rawValue] = "\(day.capitalized): \"\(typed.prefix(40))\" is not hours; write them like 09:00-17:00, or 09:00-12:00, 13:00-17:00, or leave the day empty for closed."
            }
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
        var smsConsent, helpReply, autoReplyAfterHours, missedCallAfterHours, timeZone: String
        var holdAlerts, hoursFromRingCentral: Bool
        var hours: [String: String]

        init(_ settings: SpeedToLeadSettings) {
            alertNumbers = settings.alertNumbers.joined(separator: ", ")
            businessName = settings.businessName
            autoReply = settings.autoReply
            missedCall = settings.missedCallTextBack
            hourlyCap = String(settings.hourlyCap)
            freshness = String(settings.freshnessMinutes)
            smsConsent = settings.smsConsentText
            helpReply = settings.helpReply
            autoReplyAfterHours = settings.autoReplyAfterHours
            missedCallAfterHours = settings.missedCallAfterHours
            timeZone = settings.timeZone
            holdAlerts = settings.holdAlertsWhenClosed
            hoursFromRingCentral = settings.hoursFromRingCentral
            hours = settings.weeklyHours.mapValues(BusinessHours.formatDay)
        }

        init(_ form: Form) {
            alertNumbers = form.alert_numbers ?? ""
            businessName = form.business_name ?? ""
            autoReply = form.auto_reply ?? ""
            missedCall = form.missed_call_text_back ?? ""
            hourlyCap = form.hourly_cap ?? ""
            freshness = form.freshness_minutes ?? ""
            smsConsent = form.sms_consent_text ?? ""
            helpReply = form.help_reply ?? ""
            autoReplyAfterHours = form.auto_reply_after_hours ?? ""
            missedCallAfterHours = form.missed_call_after_hours ?? ""
            timeZone = form.time_zone ?? ""
            holdAlerts = form.hold_alerts_when_closed != nil
            hoursFromRingCentral = form.hours_from_ringcentral != nil
            hours = Dictionary(uniqueKeysWithValues: BusinessHours.days.map { ($0, form.hours($0) ?? "") })
        }
    }

    private static func capitalised(_ sentence: String) -> String { sentence.prefix(1).uppercased() + sentence.dropFirst() }

    private func render(_ req: Request, notice: String?, errors: FieldErrors, values: Values, status: HTTPStatus) async throws -> Response {
        let store = req.services.speedToLead.settings(on: req.db)
        let settings = try await store.load()
        let recent = try await AutomaticText.query(on: req.db).sort(\.$id, .descending).limit(50).all()
        let office = try await OfficeHours.load(settings, ringCentral: req.services.ringCentral, now: req.services.clock.now(), on: req.db)
        let response = try await req.view.render("admin/speed-to-lead", Context(
            title: "Speed to lead", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            notice: notice, blocker: try await SpeedToLeadService.blocker(settings, on: req.db), errors: errors,
            fromEnvironment: !(try await store.isSaved()),
            alertNumbers: values.alertNumbers, businessName: values.businessName, autoReply: values.autoReply,
            missedCall: values.missedCall, hourlyCap: values.hourlyCap, freshnessMinutes: values.freshness,
            smsConsentText: values.smsConsent, helpReply: values.helpReply, autoReplyAfterHours: values.autoReplyAfterHours,
            missedCallAfterHours: values.missedCallAfterHours, holdAlertsWhenClosed: values.holdAlerts,
            hoursFromRingCentral: values.hoursFromRingCentral, timeZone: values.timeZone,
            days: BusinessHours.days.map { Day(name: $0, label: $0.capitalized, value: values.hours[$0] ?? "") },
            hoursSentence: Self.capitalised(office.sentence),
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
