import Foundation

/// What speed to lead does, from the environment until an admin saves Speed to lead, then
/// from what they saved. Every value has been checked (`problems`) before it is used.
public struct SpeedToLeadSettings: Sendable, Equatable {
    /// Staff numbers (E.164) texted when an enquiry lands; none: no alerts.
    public var alertNumbers: [String] = []
    /// The instant reply to a lead who consented and gave a phone; empty: off.
    public var autoReply = ""
    /// The text to a caller whose call was missed; empty: off.
    public var missedCallTextBack = ""
    /// The consultancy's name, for `{business_name}`.
    public var businessName = ""
    /// Automatic texts to leads (instant replies and missed-call texts) in any one hour, counted
    /// across every server: a flood of fake enquiries cannot make LeadBridge text strangers.
    public var hourlyCap = 20
    /// An automatic text not sent within this many minutes of what it answers is dropped with
    /// a reason (a "thanks for calling" three days late is worse than none).
    public var freshnessMinutes = 120
    /// The texting consent's words on the contact form and every form that asks it, with
    /// `{business_name}`; what a 10DLC campaign registration quotes as its opt-in.
    public var smsConsentText = SpeedToLeadSettings.defaultSMSConsent
    /// The answer to HELP or INFO: the business's name and how to reach it.
    public var helpReply = SpeedToLeadSettings.defaultHelpReply
    /// The instant reply and the missed-call text while the office is closed (`{opens_at}`);
    /// empty: the usual one is sent at any hour (quiet hours still apply).
    public var autoReplyAfterHours = ""
    public var missedCallAfterHours = ""
    /// Out of hours, staff alerts wait for the opening and go as one summary (true), or go at once.
    public var holdAlertsWhenClosed = false
    /// The hours set here: used when RingCentral's are not (not connected, not permitted, or
    /// `hoursFromRingCentral` off).
    var weeklyHours: [String: [BusinessHours.Range]] = [:]
    /// Read the extension's business hours from RingCentral when it is connected and permitted.
    public var hoursFromRingCentral = true
    /// The business's time zone (IANA): its hours, and quiet hours for a number of no known zone.
    public var timeZone = "UTC"
    /// Never set from the environment or the admin: quiet hours are the law's, not a choice.
    /// Only tests about other rules turn them off, since the real clock may be any hour where
    /// their numbers are.
    var ignoresQuietHours = false

    public static let defaultSMSConsent = "I agree to receive text messages from {business_name} about my enquiry at the number above. Message frequency varies. Msg & data rates may apply. Reply STOP to opt out, HELP for help. Consent is not a condition of purchase."
    public static let defaultHelpReply = "{business_name}: reply to this number or call it during business hours and we will help. Msg & data rates may apply. Reply STOP to opt out."

    public var alertsOn: Bool { !alertNumbers.isEmpty }
    public var autoReplyOn: Bool { !autoReply.isEmpty }
    public var missedCallOn: Bool { !missedCallTextBack.isEmpty }
    public var anyOn: Bool { alertsOn || autoReplyOn || missedCallOn }

    /// The hours set here, in the business's zone.
    var ownHours: BusinessHours { BusinessHours(weekly: weeklyHours, timeZone: zone) }
    var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")! }

    /// How each value is named in a sentence: by its environment variable at start-up, by its
    /// field in the admin.
    public enum Naming: Sendable {
        case environment, admin

        func name(_ field: Field) -> String {
            switch (self, field) {
            case (.environment, .alertNumbers): return "LEAD_ALERT_SMS_TO"
            case (.environment, .autoReply): return "LEAD_AUTO_REPLY_SMS"
            case (.environment, .missedCall): return "MISSED_CALL_TEXT_BACK"
            case (.environment, .businessName): return "BUSINESS_NAME"
            case (.environment, .hourlyCap): return "AUTO_TEXT_HOURLY_CAP"
            case (.environment, .freshness): return "AUTO_TEXT_MAX_AGE_MINUTES"
            case (.environment, .smsConsent): return "SMS_CONSENT_TEXT"
            case (.environment, .helpReply): return "SMS_HELP_REPLY"
            case (.environment, .autoReplyAfterHours): return "LEAD_AUTO_REPLY_AFTER_HOURS_SMS"
            case (.environment, .missedCallAfterHours): return "MISSED_CALL_TEXT_BACK_AFTER_HOURS"
            case (.environment, .hours): return "BUSINESS_HOURS"
            case (.environment, .timeZone): return "BUSINESS_TIME_ZONE"
            case (.admin, .smsConsent): return "Texting consent"
            case (.admin, .helpReply): return "Reply to HELP"
            case (.admin, .autoReplyAfterHours): return "Instant reply after hours"
            case (.admin, .missedCallAfterHours): return "Missed-call text after hours"
            case (.admin, .hours): return "Business hours"
            case (.admin, .timeZone): return "Time zone"
            case (.admin, .alertNumbers): return "Alert numbers"
            case (.admin, .autoReply): return "Instant reply"
            case (.admin, .missedCall): return "Missed-call text"
            case (.admin, .businessName): return "Business name"
            case (.admin, .hourlyCap): return "Automatic texts an hour"
            case (.admin, .freshness): return "Drop texts older than (minutes)"
            }
        }
    }

    public enum Field: String, Sendable {
        case alertNumbers, autoReply, missedCall, businessName, hourlyCap, freshness
        case smsConsent, helpReply, autoReplyAfterHours, missedCallAfterHours, hours, timeZone
    }

    static let replyPlaceholders: [TextTemplate.Placeholder] = [.firstName, .company, .businessName]
    static let missedCallPlaceholders: [TextTemplate.Placeholder] = [.firstName, .businessName]
    static let afterHoursReplyPlaceholders: [TextTemplate.Placeholder] = [.firstName, .company, .businessName, .opensAt]
    static let afterHoursMissedCallPlaceholders: [TextTemplate.Placeholder] = [.firstName, .businessName, .opensAt]
    static let helpPlaceholders: [TextTemplate.Placeholder] = [.businessName]

    /// Reads the numbers as typed (commas, spaces and dashes allowed): the numbers in E.164, or
    /// a sentence naming the first that is not one.
    static func parseNumbers(_ text: String, naming: Naming) -> Result<[String], SettingsProblem> {
        var numbers: [String] = []
        for piece in text.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == ";" }) {
            let typed = piece.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !typed.isEmpty else { continue }
            guard let number = PhoneNumber.e164(typed) else {
                return .failure(SettingsProblem(field: .alertNumbers, sentence: "\(naming.name(.alertNumbers)): \"\(typed.prefix(40))\" is not a number in international format: a + and 7 to 15 digits, like +16505550123."))
            }
            if !numbers.contains(number) { numbers.append(number) }
        }
        guard numbers.count <= 10 else {
            return .failure(SettingsProblem(field: .alertNumbers, sentence: "\(naming.name(.alertNumbers)) lists \(numbers.count) numbers; alerts go to at most 10."))
        }
        return .success(numbers)
    }

    /// Every problem with these values, each a sentence naming the setting.
    func problems(naming: Naming) -> [SettingsProblem] {
        var found: [SettingsProblem] = []
        if businessName.count > 100 {
            found.append(.init(field: .businessName, sentence: "\(naming.name(.businessName)) is \(businessName.count) characters; use at most 100."))
        }
        if let problem = TextTemplate.problem(autoReply, setting: naming.name(.autoReply), allowed: Self.replyPlaceholders, businessName: businessName) {
            found.append(.init(field: .autoReply, sentence: problem))
        }
        if let problem = TextTemplate.problem(missedCallTextBack, setting: naming.name(.missedCall), allowed: Self.missedCallPlaceholders, businessName: businessName) {
            found.append(.init(field: .missedCall, sentence: problem))
        }
        // The shipped help reply names the business once it has a name ("This business" until then).
        let helpToCheck = helpReply == Self.defaultHelpReply && businessName.isEmpty ? "" : helpReply
        for (field, text, allowed) in [(Field.helpReply, helpToCheck, Self.helpPlaceholders),
                                        (.autoReplyAfterHours, autoReplyAfterHours, Self.afterHoursReplyPlaceholders),
                                        (.missedCallAfterHours, missedCallAfterHours, Self.afterHoursMissedCallPlaceholders)] {
            if let problem = TextTemplate.problem(text, setting: naming.name(field), allowed: allowed, businessName: businessName) {
                found.append(.init(field: field, sentence: problem))
            }
        }
        if let problem = SMSConsentWords.problem(smsConsentText, setting: naming.name(.smsConsent)) {
            found.append(.init(field: .smsConsent, sentence: problem))
        }
        if TimeZone(identifier: timeZone) == nil {
            found.append(.init(field: .timeZone, sentence: "\(naming.name(.timeZone)) \"\(timeZone.prefix(60))\" is not a time zone; use one like America/New_York or Europe/London."))
        }
        if !(1...10_000).contains(hourlyCap) {
            found.append(.init(field: .hourlyCap, sentence: "\(naming.name(.hourlyCap)) must be between 1 and 10000 texts an hour, not \(hourlyCap)."))
        }
        if !(1...10_080).contains(freshnessMinutes) {
            found.append(.init(field: .freshness, sentence: "\(naming.name(.freshness)) must be between 1 and 10080 minutes (a week), not \(freshnessMinutes)."))
        }
        return found
    }

    /// From the environment; throws the first problem, so the server does not start with a
    /// text it could never send.
    init(_ reader: EnvironmentReader) throws {
        switch Self.parseNumbers(reader.string("LEAD_ALERT_SMS_TO") ?? "", naming: .environment) {
        case .success(let numbers): alertNumbers = numbers
        case .failure(let problem): throw ConfigurationError.invalid(problem.sentence)
        }
        autoReply = Self.unescape(reader.string("LEAD_AUTO_REPLY_SMS") ?? "")
        missedCallTextBack = Self.unescape(reader.string("MISSED_CALL_TEXT_BACK") ?? "")
        businessName = reader.string("BUSINESS_NAME") ?? ""
        hourlyCap = try reader.int("AUTO_TEXT_HOURLY_CAP") ?? 20
        freshnessMinutes = try reader.int("AUTO_TEXT_MAX_AGE_MINUTES") ?? 120
        smsConsentText = reader.string("SMS_CONSENT_TEXT") ?? Self.defaultSMSConsent
        helpReply = Self.unescape(reader.string("SMS_HELP_REPLY") ?? Self.defaultHelpReply)
        autoReplyAfterHours = Self.unescape(reader.string("LEAD_AUTO_REPLY_AFTER_HOURS_SMS") ?? "")
        missedCallAfterHours = Self.unescape(reader.string("MISSED_CALL_TEXT_BACK_AFTER_HOURS") ?? "")
        holdAlertsWhenClosed = try reader.bool("HOLD_ALERTS_WHEN_CLOSED") ?? false
        hoursFromRingCentral = try reader.bool("BUSINESS_HOURS_FROM_RINGCENTRAL") ?? true
        timeZone = reader.string("BUSINESS_TIME_ZONE") ?? "UTC"
        if let text = reader.string("BUSINESS_HOURS"), !text.isEmpty {
            guard let weekly = BusinessHours.parseWeek(text) else {
                throw ConfigurationError.invalid("BUSINESS_HOURS \"\(text.prefix(80))\" cannot be read; write it like \"mon-fri 09:00-17:00; sat 10:00-14:00\".")
            }
            weeklyHours = weekly
        }
        if let problem = problems(naming: .environment).first { throw ConfigurationError.invalid(problem.sentence) }
    }

    public init() {}

    /// A `.env` value is one line: `\n` in it is a line break in the text.
    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\n", with: "\n")
    }
}

/// One thing wrong with a setting, for the admin's form and for start-up.
struct SettingsProblem: Error, Sendable, Equatable {
    let field: SpeedToLeadSettings.Field
    let sentence: String
}
