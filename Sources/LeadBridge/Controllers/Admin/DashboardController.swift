import Fluent
import Vapor

/// `/admin`: how many enquiries are in each state, the last 30 days in charts, and the newest enquiries.
enum DashboardController {
    struct StatusCount: Encodable { let status: String; let count: Int }
    struct Budget: Encodable {
        let used: String
        let limit: String?
        let bar: [ShareBar]
    }
    struct Context: Encodable {
        let title: String
        let csrf: String
        let admin: String
        let total: Int
        let counts: [StatusCount]
        /// Spam kept over the charts' days, shown beside (not in) the enquiries per day.
        let spamThisPeriod: Int
        let rows: [EnquiryRow]
        /// Set when RingCentral refused the refresh token: calls and texts wait for a reconnect.
        let ringCentralReauthorization: String?
        /// What holds SuiteDash syncs back (the per-minute ceiling, the budget's reserve), in sentences.
        let suiteDashHolds: [String]
        /// Stored secrets still sealed under a key from APP_PREVIOUS_KEYS.
        let secretsUnderOldKeys: Int
        let rangeText: String
        // Each a list of one, for the view's `#for(chart in …)` around a shared chart template:
        // Leaf's `#with`, the tool for this, prints its parameters to stdout on every parse.
        let enquiriesChart: [BarChart]
        let syncHealth: [ShareBar]
        let activityChart: [BarChart]
        let budget: Budget?
        /// The queue by the Jobs page's states.
        let jobs: QueueStats
        let days: Int
        /// ENQUIRY_RETENTION_DAYS in a sentence, and when its job last ran.
        let retention: String
        let retentionLastRun: String?
        /// Time to first contact this week, and who is still waiting.
        let speedToLead: SpeedToLeadPanel
        /// Enquiries by where they came from over the charts' days, with each source's median time to first contact.
        let sources: [SourceRow]
        /// Emails failing or waiting on the mail server, in a sentence; nil when all is well.
        let emailWarning: String?
    }

    struct SourceRow: Encodable {
        let name: String, count: String, width: Double, median: String, href: String
    }

    static func sourceRows(_ figures: [EnquiryChannels.Figure], since: Date) -> [SourceRow] {
        let most = max(figures.map(\.enquiries).max() ?? 1, 1)
        return figures.map { figure in
            SourceRow(name: figure.channel, count: ListTotal.grouped(figure.enquiries),
                      width: (200 * Double(figure.enquiries) / Double(most) * 10).rounded() / 10,
                      median: figure.medianFirstContactSeconds.map(FirstContactText.duration) ?? "no contact yet",
                      // The source first: the day charts' links are the ones that start with since=.
                      href: AdminURL.enquiries.path + "?" + EnquiryListRange(since: since, channel: figure.channel).queryItems.reversed().joined(separator: "&"))
        }
    }

    /// The charts cover this many days, today (UTC) included.
    static let days = 30

    @Sendable static func index(req: Request) async throws -> View {
        let stored = try await EnquiryCounts.read(on: req.db)
        let counts = EnquiryStatus.allCases.map { StatusCount(status: $0.rawValue, count: stored.count($0)) }
        let latest = try await Enquiry.query(on: req.db)
            .sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(10).all()
        var holds: [String] = []
        var budget: Budget?
        if let suiteDash = try? await req.services.suiteDash.settings.load(), suiteDash.syncsAutomatically {
            let calls = try await req.services.suiteDash.requestsThisMonth(now: req.services.clock.now())
            holds = try await req.services.suiteDash.holds(suiteDash, requestsThisMonth: calls, on: req.db)
            budget = Self.budget(calls: calls, limit: suiteDash.monthlyCallLimit)
        }
        let today = DailyCounts.day(of: req.services.clock.now())
        let range = (today - days + 1)...today
        let enquiries = try await DailyCounts.read("enquiries", days: range, on: req.db)
        let calls = try await DailyCounts.read("calls", days: range, on: req.db)
        let texts = try await DailyCounts.read("texts", days: range, on: req.db)
        let jobs = try await QueueStats.read(on: req.db, now: req.services.jobQueue.now())
        return try await req.view.render("admin/dashboard", Context(
            title: "Dashboard", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            // Spam is kept apart: it is not an enquiry anyone should count, chart or call.
            total: stored.total - stored.count(.spam), counts: counts,
            spamThisPeriod: range.reduce(0) { $0 + enquiries.count(day: $1, key: "spam") }, rows: latest.map(EnquiryRow.init),
            ringCentralReauthorization: (try? await req.services.ringCentral.settings.load())?.reauthorizationReason,
            suiteDashHolds: holds,
            // Without APP_PREVIOUS_KEYS nothing can be under an old key: no need to read every secret.
            secretsUnderOldKeys: req.services.config.previousAppKeys.isEmpty
                ? 0 : try await SecretResealer(database: req.db, secrets: req.services.secrets).census().underOldKeys,
            rangeText: "\(BarChart.shortDay(range.lowerBound)) to \(BarChart.shortDay(range.upperBound)), days in UTC",
            enquiriesChart: [enquiriesChart(enquiries, days: Array(range))],
            syncHealth: [syncHealth(enquiries, days: range)],
            activityChart: [activityChart(calls: calls, texts: texts, days: Array(range))],
            budget: budget, jobs: jobs, days: days,
            retention: PrivacyController.retention(req.services.config),
            retentionLastRun: try await req.db.sql().raw("""
                SELECT created_at, enquiries FROM erasures WHERE kind = 'retention' ORDER BY id DESC LIMIT 1
                """).first().map { row in
                "\(AdminDate.format(try row.decode(column: "created_at", as: Date.self))), \(try row.decode(column: "enquiries", as: Int.self)) enquiries erased"
            },
            speedToLead: try await SpeedToLeadPanel.load(on: req.db, services: req.services),
            sources: sourceRows(try await EnquiryChannels.figures(since: DailyCounts.date(ofDay: range.lowerBound), on: req.db),
                                since: DailyCounts.date(ofDay: range.lowerBound)),
            emailWarning: try await EmailHealth.warning(on: req.db, now: req.services.clock.now())))
    }

    static let statusSeries: [(key: String, label: String)] = [
        ("synced", "synced"), ("exported", "exported"), ("pending", "pending"), ("failed", "failed"),
    ]

    /// A status's count on a day: `synced` adds up its sync-speed keys.
    static func count(_ counts: DailyCounts, day: Int, status: String) -> Int {
        status == "synced"
            ? (counts.byDay[day] ?? [:]).filter { $0.key.hasPrefix("synced") }.values.reduce(0, +)
            : counts.count(day: day, key: status)
    }

    static func list(_ base: String, _ items: [String]) -> String { base + "?" + items.joined(separator: "&") }
    static func dayText(_ day: Int) -> String { EnquiryListRange.dayText(DailyCounts.date(ofDay: day)) }

    /// Each day's enquiries by status, and beside them (issue #31) that day's spam, kept apart.
    static func enquiriesChart(_ counts: DailyCounts, days: [Int]) -> BarChart {
        let first = dayText(days.first ?? 0), last = dayText(days.last ?? 0)
        let spam = (key: "spam", label: "spam")
        let legend = (statusSeries + [spam]).map { series in
            BarChart.LegendItem(series: series.key, label: series.label,
                                count: ListTotal.grouped(days.reduce(0) { $0 + count(counts, day: $1, status: series.key) }),
                                href: list(AdminURL.enquiries.path, ["status=\(series.key)", "since=\(first)", "until=\(last)"]))
        }
        return BarChart.daily(
            id: "enquiries-chart", days: days, groups: ["real", "spam"], series: statusSeries + [spam],
            value: { day, group, status in (group == "spam") == (status == "spam") ? count(counts, day: day, status: status) : 0 },
            href: { day, group in
                list(AdminURL.enquiries.path, (group == "spam" ? ["status=spam"] : []) + ["since=\(dayText(day))", "until=\(dayText(day))"])
            },
            label: { day, group, parts in
                let total = parts.reduce(0) { $0 + $1.1 }
                if group == "spam" { return "\(BarChart.shortDay(day)): \(total) spam" }
                let named = parts.filter { $0.1 > 0 }.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
                return "\(BarChart.shortDay(day)): \(total) \(total == 1 ? "enquiry" : "enquiries")" + (named.isEmpty ? "" : " (\(named))")
            },
            legend: legend)
    }

    static func syncHealth(_ counts: DailyCounts, days: ClosedRange<Int>) -> ShareBar {
        let dates = ["since=\(dayText(days.lowerBound))", "until=\(dayText(days.upperBound))"]
        func total(_ key: String) -> Int { counts.total { $0 == key } }
        let path = AdminURL.enquiries.path
        return ShareBar.make(id: "sync-health", parts: [
            ("minute", "Synced within a minute", total("synced/minute"), list(path, ["status=synced", "synced=minute"] + dates)),
            ("hour", "Synced within an hour", total("synced/hour"), list(path, ["status=synced", "synced=hour"] + dates)),
            ("later", "Synced after an hour", total("synced/later"), list(path, ["status=synced", "synced=later"] + dates)),
            ("pending", "Waiting", total("pending"), list(path, ["status=pending"] + dates)),
            ("failed", "Failed", total("failed"), list(path, ["status=failed"] + dates)),
        ])
    }

    static func activityChart(calls: DailyCounts, texts: DailyCounts, days: [Int]) -> BarChart {
        let first = dayText(days.first ?? 0), last = dayText(days.last ?? 0)
        let callsPath = AdminURL.callLogs.path, textsPath = AdminURL.messages.path
        return BarChart.daily(
            id: "activity-chart", days: days, groups: ["calls", "texts"], series: [("calls", "calls"), ("texts", "texts")],
            value: { day, group, series in group != series ? 0 : (group == "calls" ? calls : texts).total(day: day) },
            href: { day, group in list(group == "calls" ? callsPath : textsPath, ["since=\(dayText(day))", "until=\(dayText(day))"]) },
            label: { day, group, parts in
                let count = parts.reduce(0) { $0 + $1.1 }
                let noun = group == "calls" ? (count == 1 ? "call" : "calls") : (count == 1 ? "text" : "texts")
                return "\(BarChart.shortDay(day)): \(count) \(noun)"
            },
            legend: [
                .init(series: "calls", label: "calls", count: ListTotal.grouped(calls.total()),
                      href: list(callsPath, ["since=\(first)", "until=\(last)"])),
                .init(series: "texts", label: "texts", count: ListTotal.grouped(texts.total()),
                      href: list(textsPath, ["since=\(first)", "until=\(last)"])),
            ])
    }

    static func budget(calls: Int, limit: Int?) -> Budget {
        guard let limit else { return Budget(used: ListTotal.grouped(calls), limit: nil, bar: []) }
        let path = AdminURL.suiteDash.path
        return Budget(used: ListTotal.grouped(calls), limit: ListTotal.grouped(limit),
                      bar: [ShareBar.make(id: "suitedash-budget", parts: [
                          ("used", "Calls made this month", calls, path),
                          ("left", "Calls left", max(limit - calls, 0), path),
                      ], whole: max(limit, calls))])
    }
}
