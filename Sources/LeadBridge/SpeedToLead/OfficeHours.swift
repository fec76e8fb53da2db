import Fluent
import Foundation
import RingCentralKit

/// Which business hours apply now, and the sentence the Speed to lead page shows about them:
/// RingCentral's (the extension's `business-hours`, in the extension's time zone) when it is
/// connected, permitted and chosen; else the hours set in Speed to lead; else none, and every
/// hour counts as open.
struct OfficeHours: Sendable {
    enum Source: String, Sendable { case ringCentral, settings, none }
    let hours: BusinessHours
    let source: Source
    let sentence: String

    var isKnown: Bool { hours.isKnown }
    func isOpen(at date: Date) -> Bool { hours.isOpen(at: date) }

    /// RingCentral's answer, kept for an hour in `integration_settings` (provider
    /// `ringcentral_business_hours`): every automatic text consults it, and one Light request an
    /// hour is plenty for hours an office changes a few times a year.
    static let provider = "ringcentral_business_hours"
    static let maxAge: TimeInterval = 3600

    static func load(_ settings: SpeedToLeadSettings, ringCentral: RingCentralService, now: Date, refresh: Bool = false,
                     on db: any Database) async throws -> OfficeHours {
        let own = OfficeHours.own(settings)
        guard settings.hoursFromRingCentral else { return own }
        guard try await RingCentralTokenRecord.isConnected(on: db) else {
            return own.noting("RingCentral is not connected, so ")
        }
        let row = try await IntegrationSetting.query(on: db).filter(\.$provider == provider).first()
        var cached = row?.settings ?? [:]
        let fetchedAt = cached["fetched_at"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
        // A refusal is asked again sooner: a role fixed in RingCentral should count within minutes.
        let age = cached["error"] == nil ? maxAge : 300
        if refresh || fetchedAt.map({ now.timeIntervalSince($0) > age || now < $0 }) ?? true {
            cached = await fetch(ringCentral, now: now)
            let saved = row ?? IntegrationSetting(provider: provider)
            saved.settings = cached
            try await saved.save(on: db)
        }
        if let error = cached["error"] {
            return own.noting("RingCentral's business hours could not be read (\(error)), so ")
        }
        var weekly: [String: [BusinessHours.Range]] = [:]
        for day in BusinessHours.days {
            if let ranges = cached["hours_" + day].flatMap(BusinessHours.parseDay), !ranges.isEmpty { weekly[day] = ranges }
        }
        let zoneName = cached["time_zone"] ?? ""
        let zone = TimeZone(identifier: zoneName) ?? settings.zone
        let hours = BusinessHours(weekly: weekly, timeZone: zone)
        let when = fetchedAt.map { " (read \(AdminDate.format($0)))" } ?? ""
        guard hours.isKnown else {
            return OfficeHours(hours: hours, source: .ringCentral,
                               sentence: "RingCentral's business hours apply\(when): the extension answers 24 hours a day, 7 days a week, so no text waits for opening.")
        }
        return OfficeHours(hours: hours, source: .ringCentral,
                           sentence: "RingCentral's business hours apply\(when), in \(zone.identifier): \(describe(hours)). Change them in RingCentral (Call Handling > Business Hours), or untick \"Use RingCentral's business hours\".")
    }

    static func own(_ settings: SpeedToLeadSettings) -> OfficeHours {
        let hours = settings.ownHours
        guard hours.isKnown else {
            return OfficeHours(hours: hours, source: .none, sentence: "no business hours are set: every hour counts as open.")
        }
        return OfficeHours(hours: hours, source: .settings,
                           sentence: "the hours set here apply, in \(settings.timeZone): \(describe(hours)).")
    }

    private func noting(_ prefix: String) -> OfficeHours {
        OfficeHours(hours: hours, source: source, sentence: prefix + sentence)
    }

    /// "monday 09:00-18:00; …; saturday closed".
    static func describe(_ hours: BusinessHours) -> String {
        BusinessHours.days.map { day in
            let ranges = hours.weekly[day] ?? []
            return day.prefix(1).uppercased() + day.dropFirst(1).prefix(2) + " " + (ranges.isEmpty ? "closed" : BusinessHours.formatDay(ranges))
        }.joined(separator: "; ")
    }

    /// RingCentral's hours and zone as the cache keeps them, or the reason they could not be read.
    private static func fetch(_ ringCentral: RingCentralService, now: Date) async -> [String: String] {
        var row = ["fetched_at": String(now.timeIntervalSince1970)]
        do {
            let client = try await ringCentral.client()
            let answer = try await client.businessHours()
            for (day, ranges) in answer.weeklyRanges where BusinessHours.days.contains(day) {
                let parsed = ranges.compactMap { range -> BusinessHours.Range? in
                    guard let from = BusinessHours.minutes(Substring(range.from)), let to = BusinessHours.minutes(Substring(range.to)), from < to else { return nil }
                    return BusinessHours.Range(from: from, to: to)
                }
                row["hours_" + day] = BusinessHours.formatDay(parsed)
            }
            if let zone = try await client.extensionTimeZoneName() { row["time_zone"] = zone }
        } catch let error as RingCentralError {
            row["error"] = RingCentralMessaging.explain(error)
        } catch {
            row["error"] = String(describing: error)
        }
        return row
    }
}
