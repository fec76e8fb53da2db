import Fluent
import Foundation

/// Speed to lead's row in `integration_settings` (provider "speed_to_lead"): once an admin
/// saves the page, what they saved replaces the environment's values, an empty field included
/// (empty turns that text off).
struct SpeedToLeadSettingsStore: Sendable {
    static let provider = "speed_to_lead"

    let database: any Database
    let environment: SpeedToLeadSettings

    func load() async throws -> SpeedToLeadSettings {
        guard let saved = try await IntegrationSetting.query(on: database).filter(\.$provider == Self.provider).first()?.settings else {
            return environment
        }
        var settings = environment
        if let numbers = saved["alert_numbers"] { settings.alertNumbers = numbers.split(separator: ",").map(String.init) }
        if let text = saved["auto_reply"] { settings.autoReply = text }
        if let text = saved["missed_call_text_back"] { settings.missedCallTextBack = text }
        if let name = saved["business_name"] { settings.businessName = name }
        if let cap = saved["hourly_cap"].flatMap(Int.init) { settings.hourlyCap = cap }
        if let minutes = saved["freshness_minutes"].flatMap(Int.init) { settings.freshnessMinutes = minutes }
        if let text = saved["sms_consent_text"] { settings.smsConsentText = text }
        if let text = saved["help_reply"] { settings.helpReply = text }
        if let text = saved["auto_reply_after_hours"] { settings.autoReplyAfterHours = text }
        if let text = saved["missed_call_after_hours"] { settings.missedCallAfterHours = text }
        if let flag = saved["hold_alerts_when_closed"] { settings.holdAlertsWhenClosed = flag == "true" }
        if let flag = saved["hours_from_ringcentral"] { settings.hoursFromRingCentral = flag == "true" }
        if let zone = saved["time_zone"] { settings.timeZone = zone }
        if saved["time_zone"] != nil {
            // Saved hours replace the environment's whole week: a day left empty is closed.
            settings.weeklyHours = [:]
            for day in BusinessHours.days {
                if let ranges = saved["hours_" + day].flatMap(BusinessHours.parseDay), !ranges.isEmpty { settings.weeklyHours[day] = ranges }
            }
        }
        return settings
    }

    /// Whether the values come from the admin (true) or the environment.
    func isSaved() async throws -> Bool {
        try await IntegrationSetting.query(on: database).filter(\.$provider == Self.provider).first()?.settings != nil
    }

    /// Saves values already checked by `SpeedToLeadSettings.problems`.
    func save(_ settings: SpeedToLeadSettings) async throws {
        try await database.writeTransaction { tx in
            let row = try await IntegrationSetting.query(on: tx).filter(\.$provider == Self.provider).first()
                ?? IntegrationSetting(provider: Self.provider)
            row.isEnabled = settings.anyOn
            row.settings = [
                "alert_numbers": settings.alertNumbers.joined(separator: ","),
                "auto_reply": settings.autoReply,
                "missed_call_text_back": settings.missedCallTextBack,
                "business_name": settings.businessName,
                "hourly_cap": String(settings.hourlyCap),
                "freshness_minutes": String(settings.freshnessMinutes),
                "sms_consent_text": settings.smsConsentText,
                "help_reply": settings.helpReply,
                "auto_reply_after_hours": settings.autoReplyAfterHours,
                "missed_call_after_hours": settings.missedCallAfterHours,
                "hold_alerts_when_closed": String(settings.holdAlertsWhenClosed),
                "hours_from_ringcentral": String(settings.hoursFromRingCentral),
                "time_zone": settings.timeZone,
            ].merging(BusinessHours.days.map { ("hours_" + $0, BusinessHours.formatDay(settings.weeklyHours[$0] ?? [])) }) { $1 }
            try await row.save(on: tx)
        }
    }
}
