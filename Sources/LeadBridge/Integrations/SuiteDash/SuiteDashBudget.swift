import Fluent
import Foundation

/// What keeps a flood of enquiries (spam that passed every check, or a real rush) from spending
/// a small SuiteDash plan's month: a ceiling on automatic syncs a minute, counted in the
/// database so every worker on every server shares it, and a reserve at the end of the
/// month's budget that only an admin's Sync now may spend. Enquiries are always stored at once;
/// only their syncs wait.
enum SuiteDashBudget {
    static let ceilingKey = "suitedash-syncs-this-minute"

    /// The calls kept back at the end of the month's limit.
    static func reserve(of limit: Int, percent: Int) -> Int {
        guard percent > 0 else { return 0 }
        return max(1, limit * percent / 100)
    }

    /// Counts one automatic sync against the ceiling; nil when it may start now, else the
    /// seconds to wait (a share of the minute, spread so that waiting syncs do not all wake together).
    static func waitForCeiling(perMinute: Int, now: Date, on db: any Database) async throws -> TimeInterval? {
        guard perMinute > 0 else { return nil }
        let allowed = try await RateCounters(database: db).reserve(ceilingKey, limit: perMinute, window: 60, now: now)
        return allowed ? nil : Double.random(in: 5...20)
    }

    /// What holds syncs back right now, in sentences for the dashboard and the SuiteDash page.
    static func holds(settings: SuiteDashSettings, requestsThisMonth: Int, reservePercent: Int, perMinute: Int, now: Date,
                      on db: any Database) async throws -> [String] {
        var sentences: [String] = []
        if let limit = settings.monthlyCallLimit {
            let reserve = reserve(of: limit, percent: reservePercent)
            if requestsThisMonth >= limit {
                sentences.append("This month's \(limit) SuiteDash API calls are used up: syncing is paused (nothing is lost) until the limit is raised or the month ends.")
            } else if reserve > 0, requestsThisMonth >= limit - reserve {
                sentences.append("Only the reserve of this month's SuiteDash budget is left (\(reserve) of \(limit) calls): new enquiries wait, and Sync now on an enquiry still sends it.")
            }
        }
        if perMinute > 0, let counter = try await RateCounter.find(ceilingKey, on: db),
           now.timeIntervalSince1970 - counter.windowStarted < 60, counter.attempts >= perMinute {
            sentences.append("Enquiries are arriving faster than \(perMinute) a minute: all are stored, and their SuiteDash syncs run at \(perMinute) a minute.")
        }
        return sentences
    }
}
