import Fluent
import Foundation
import RingCentralKit

/// Sends one automatic text (`automatic_texts`): a staff alert or its minute's summary, an
/// instant reply, or a missed-call text-back. Every rule is checked here, at send time, under
/// a lock shared by every worker: a text older than the freshness limit, to a number that
/// texted STOP, a second one to the same number within a day, or one past the hourly cap is
/// dropped with the reason in words. RingCentral not connected or awaiting sign-in: the job
/// waits for it, and the freshness rule decides when it is back.
struct SendAutomaticText: JobKind {
    struct Payload: Codable, Sendable { let automaticTextID: Int }
    static let name = "speed-to-lead.send-text"
    static let maxAttempts = 10
    /// After one alert, enquiries in the next minute wait for one summary.
    static let alertWindow: TimeInterval = 60
    static let oncePerNumber: TimeInterval = 24 * 60 * 60
    static let hourlyKey = "automatic-texts-this-hour"

    let speedToLead: SpeedToLeadService
    let ringCentral: RingCentralService
    let jobQueue: JobQueue
    let secrets: SecretBox
    let clock: AppClock
    /// Where the alerts' links point (`APP_URL`).
    let appURL: String
    /// The intake's enquiries per address per window: an address earns at most as many instant replies an hour.
    let intakeRateLimit: Int?
    /// How long a job may run: the send lock outlives it a little.
    let jobTimeoutSeconds: Double

    func run(_ payload: Payload, context: JobContext) async throws {
        guard let peek = try await AutomaticText.find(payload.automaticTextID, on: context.db), peek.status == .queued else { return }
        // Alerts decide their minute together; texts to a lead, per number.
        let lockName = peek.kind.isToLead
            ? "automatic-text:" + secrets.mac(peek.toNumbers, purpose: "automatic_texts.lock") : "lead-alerts"
        let lock = AdvisoryLock(name: lockName, holder: "job-\(context.jobID)", ttl: jobTimeoutSeconds + 10)
        guard try await lock.acquire(on: context.db, now: clock.now()) else {
            throw JobFailure.deferred(1, "Another worker is sending to \(peek.kind.isToLead ? "this number" : "staff") now.")
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
        guard let text = try await AutomaticText.find(payload.automaticTextID, on: context.db), text.status == .queued else { return }
        let settings = try await speedToLead.settings(on: context.db).load()
        let now = clock.now()
        let age = now.timeIntervalSince(text.createdAt)
        if age > Double(settings.freshnessMinutes) * 60 {
            return try await finish(text, .dropped, "Not sent: it could not go within \(settings.freshnessMinutes) minutes (it was \(FirstContactText.duration(Int(age))) late, waiting for RingCentral), and a late automatic text is worse than none.", on: context.db)
        }
        do {
            switch text.kind {
            case .alert, .alertSummary: try await alert(text, settings: settings, now: now, context: context)
            case .autoReply, .missedCall, .keywordReply: try await reply(text, settings: settings, now: now, context: context)
            }
        } catch let error as RingCentralError {
            let failure = JobFailure.from(error)
            if failure.retryDisposition == .permanent {
                return try await finish(text, .failed, "RingCentral refused it: \(RingCentralMessaging.explain(error))", on: context.db)
            }
            throw failure
        } catch let error as RingCentralMessaging.Failure {
            return try await finish(text, .failed, error.description, on: context.db)
        }
    }

    // MARK: Staff alerts

    private func alert(_ text: AutomaticText, settings: SpeedToLeadSettings, now: Date, context: JobContext) async throws {
        let db = context.db
        guard settings.alertsOn else { return try await finish(text, .dropped, "Not sent: staff alerts were turned off.", on: db) }
        var members: [AutomaticText] = []
        let body: String
        if text.kind == .alert {
            guard let enquiry = try await text.$enquiry.get(on: db) else {
                return try await finish(text, .dropped, "Not sent: the enquiry was erased first.", on: db)
            }
            // Closed, and staff asked not to be texted then: one summary when the office opens.
            if settings.holdAlertsWhenClosed {
                let office = try await OfficeHours.load(settings, ringCentral: ringCentral, now: now, on: db)
                if !office.isOpen(at: now), let opensAt = office.hours.nextOpening(after: now) {
                    return try await holdUntilOpening(text, opensAt: opensAt, settings: settings, now: now, on: db)
                }
            }
            // A summary still waiting for its minute takes this one too; so does a minute
            // opened by an alert just sent.
            if let open = try await AutomaticText.query(on: db).filter(\.$kind == .alertSummary).filter(\.$status == .queued).first() {
                return try await join(text, summary: open, on: db)
            }
            let last = try await AutomaticText.query(on: db).filter(\.$kind ~~ [.alert, .alertSummary]).filter(\.$status == .sent)
                .sort(\.$sentAt, .descending).first()?.sentAt
            // Past the hour's cap, alerts wait for one summary when the oldest of the hour's
            // alerts is an hour old: a flood of form posts cannot fill staff phones.
            let capOpensAt = try await Self.alertCapOpensAt(cap: settings.hourlyCap, now: now, on: db)
            if let opensAt = capOpensAt ?? last.flatMap({ now.timeIntervalSince($0) < Self.alertWindow ? $0.addingTimeInterval(Self.alertWindow) : nil }) {
                let summary = AutomaticText()
                summary.kind = .alertSummary
                summary.subjectKey = (capOpensAt == nil ? "summary:" : Self.heldSummaryPrefix) + "\(Int(opensAt.timeIntervalSince1970 * 1000))"
                summary.toNumbers = settings.alertNumbers.joined(separator: ",")
                summary.status = .queued
                summary.createdAt = now
                try await db.transaction { tx in
                    try await summary.create(on: tx)
                    try await jobQueue.enqueue(SendAutomaticText.self, .init(automaticTextID: summary.id!), on: tx,
                                                        delay: max(0, opensAt.timeIntervalSince(now)))
                }
                return try await join(text, summary: summary, on: db)
            }
            body = LeadAlertText.single(enquiry, appURL: appURL)
        } else {
            members = try await AutomaticText.query(on: db).filter(\.$summaryID == text.id).filter(\.$status == .batched)
                .with(\.$enquiry).sort(\.$id).all()
            let enquiries = members.compactMap(\.enquiry)
            guard !enquiries.isEmpty else {
                return try await finish(text, .dropped, "Not sent: every enquiry it would list was erased first.", on: db)
            }
            body = text.subjectKey.hasPrefix(Self.heldSummaryPrefix)
                ? LeadAlertText.heldSummary(enquiries, cap: settings.hourlyCap, appURL: appURL)
                : text.subjectKey.hasPrefix(Self.closedSummaryPrefix)
                ? LeadAlertText.closedSummary(enquiries, appURL: appURL)
                : LeadAlertText.summary(enquiries, appURL: appURL)
        }
        // The numbers as they are now: a number removed since is not texted.
        let recipients = text.recipients.filter(settings.alertNumbers.contains)
        guard !recipients.isEmpty else {
            return try await finish(text, .dropped, "Not sent: none of its numbers is an alert number any more.", on: db)
        }
        var uncertain = 0
        for number in recipients {
            if try await AutomaticSMS(service: ringCentral).send(body, to: number, for: text, from: nil) == .uncertain { uncertain += 1 }
        }
        let reason = uncertain > 0 ? "RingCentral did not answer for \(uncertain) of \(recipients.count) numbers; they may have had it, so it was not sent again." : nil
        try await finish(text, .sent, reason, sentAt: now, on: db)
        for member in members {
            member.status = .sent
            member.sentAt = now
            try await member.save(on: db)
        }
    }

    /// A summary made because the hour's alerts reached the cap: it says how many were held.
    static let heldSummaryPrefix = "summary:held:"
    /// A summary of the enquiries that came while the office was closed, sent when it opens.
    static let closedSummaryPrefix = "summary:closed:"

    /// Joins (or opens) the summary that goes when the office opens. Its freshness counts from
    /// the opening: the night's enquiries are news at 9:00, not stale.
    private func holdUntilOpening(_ text: AutomaticText, opensAt: Date, settings: SpeedToLeadSettings, now: Date, on db: any Database) async throws {
        let key = Self.closedSummaryPrefix + "\(Int(opensAt.timeIntervalSince1970))"
        if let open = try await AutomaticText.query(on: db).filter(\.$kind == .alertSummary).filter(\.$subjectKey == key).first() {
            return try await join(text, summary: open, reason: "Held while closed, for the summary at opening.", on: db)
        }
        let summary = AutomaticText()
        summary.kind = .alertSummary
        summary.subjectKey = key
        summary.toNumbers = settings.alertNumbers.joined(separator: ",")
        summary.status = .queued
        summary.createdAt = opensAt
        try await db.transaction { tx in
            try await summary.create(on: tx)
            try await jobQueue.enqueue(SendAutomaticText.self, .init(automaticTextID: summary.id!), on: tx,
                                       delay: max(0, opensAt.timeIntervalSince(now)))
        }
        try await join(text, summary: summary, reason: "Held while closed, for the summary at opening.", on: db)
    }

    /// When the hour's staff alerts (single or summaries) reached `cap`: the moment the oldest of
    /// them is an hour old, when the next may go. Nil while under the cap.
    static func alertCapOpensAt(cap: Int, now: Date, on db: any Database) async throws -> Date? {
        let hour = try await AutomaticText.query(on: db).filter(\.$kind ~~ [.alert, .alertSummary]).filter(\.$status == .sent)
            .filter(\.$sentAt > now.addingTimeInterval(-3600)).sort(\.$sentAt, .descending).limit(cap).all()
        guard hour.count >= cap, let oldest = hour.last?.sentAt else { return nil }
        return oldest.addingTimeInterval(3600)
    }

    private func join(_ text: AutomaticText, summary: AutomaticText, reason: String = "In the summary of the minute's enquiries.",
                      on db: any Database) async throws {
        text.status = .batched
        text.summaryID = summary.id
        text.reason = reason
        try await text.save(on: db)
    }

    // MARK: Texts to a lead

    private func reply(_ text: AutomaticText, settings: SpeedToLeadSettings, now: Date, context: JobContext) async throws {
        let db = context.db
        var template: String
        var opensAt: String?
        switch text.kind {
        case .keywordReply: template = text.subjectKey.hasPrefix(KeywordReplies.startPrefix) ? KeywordReplies.startReply : settings.helpReply
        case .missedCall: template = settings.missedCallTextBack
        default: template = settings.autoReply
        }
        guard !template.isEmpty else {
            return try await finish(text, .dropped, "Not sent: the \(text.kind.label.lowercased()) was turned off.", on: db)
        }
        // Closed: the after-hours words, when there are some, saying when the office opens.
        let afterHours = text.kind == .autoReply ? settings.autoReplyAfterHours : text.kind == .missedCall ? settings.missedCallAfterHours : ""
        if !afterHours.isEmpty {
            let office = try await OfficeHours.load(settings, ringCentral: ringCentral, now: text.createdAt, on: db)
            if !office.isOpen(at: text.createdAt) {
                template = afterHours
                opensAt = office.hours.describeOpening(after: text.createdAt)
            }
        }
        let number = text.toNumbers
        let enquiry = try await text.$enquiry.get(on: db)
        if text.kind == .autoReply, enquiry == nil {
            return try await finish(text, .dropped, "Not sent: the enquiry was erased first.", on: db)
        }
        if let stopped = try await speedToLead.doNotText.isOptedOut(number, on: db) {
            return try await finish(text, .dropped, "Not sent: this number texted STOP on \(AdminDate.format(stopped)); it is never texted automatically.", on: db)
        }
        if text.kind.keepsQuietHours, !settings.ignoresQuietHours,
           let allowed = QuietHours.nextAllowed(to: number, at: now, businessZone: settings.zone) {
            return try await waitForMorning(text, until: allowed, settings: settings, now: now, on: db)
        }
        var sameKind = AutomaticText.query(on: db).filter(\.$kind == text.kind).filter(\.$toNumbers == number)
        if text.kind == .keywordReply, let colon = text.subjectKey.dropFirst("keyword:".count).firstIndex(of: ":") {
            // HELP's answer and START's are counted apart: one of each a day.
            sameKind = sameKind.filter(\.$subjectKey =~ String(text.subjectKey[...colon]))
        }
        if let earlier = try await sameKind
            .filter(\.$status == .sent).filter(\.$sentAt > now.addingTimeInterval(-Self.oncePerNumber)).first(), let at = earlier.sentAt {
            return try await finish(text, .dropped, "Not sent: this number had one \(FirstContactText.duration(Int(now.timeIntervalSince(at)))) ago, and gets at most one a day.", on: db)
        }
        let counters = RateCounters(database: db)
        if text.kind == .autoReply, let ip = enquiry?.ip, let perAddress = intakeRateLimit {
            // Counted against the intake ceiling: one address's enquiries earn at most as many
            // instant replies an hour as it may send enquiries in one window.
            // Counted by the key intake limits by (an IPv6 sender's /64), so moving through the
            // /64 earns no fresh budget of texts to strangers.
            guard try await counters.reserve("automatic-texts-ip:" + SecureToken.sha256Hex(ClientAddress.limitKey(ip)), limit: perAddress, window: 3600, now: now) else {
                return try await finish(text, .dropped, "Not sent: the address this enquiry came from has had \(perAddress) instant replies this hour (the intake limit), so a flood of enquiries cannot text strangers.", on: db)
            }
        }
        // Each kind has its own hour: a flood of form posts spending instant replies must not
        // leave the callers the office missed without their text-back.
        guard try await counters.reserve(Self.hourlyKey + ":" + text.kind.rawValue, limit: settings.hourlyCap, window: 3600, now: now) else {
            return try await finish(text, .dropped, "Not sent: \(settings.hourlyCap) \(text.kind.label.lowercased())s have gone this hour, the cap (Speed to lead > Automatic texts an hour, counted for each kind).", on: db)
        }
        let body = TextTemplate(text: template).render(firstName: enquiry?.firstName, company: enquiry?.company,
                                                       businessName: settings.businessName.isEmpty && text.kind == .keywordReply ? "This business" : settings.businessName,
                                                       opensAt: opensAt)
        let outcome = try await AutomaticSMS(service: ringCentral).send(body, to: number, for: text, from: nil)
        if outcome == .uncertain {
            return try await finish(text, .failed, "RingCentral did not answer; it may have been sent, so it is not sent again.", on: db)
        }
        try await finish(text, .sent, nil, sentAt: now, on: db)
    }

    /// Quiet hours where the lead is: the job waits until they end, with the reason on the
    /// enquiry meanwhile; a text that would be stale by then is dropped now, saying why.
    private func waitForMorning(_ text: AutomaticText, until allowed: Date, settings: SpeedToLeadSettings, now: Date,
                                on db: any Database) async throws {
        let zones = NumberTimeZones.zones(for: text.toNumbers)
        let zone = zones.first ?? settings.zone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let local = calendar.dateComponents([.hour, .minute], from: now)
        let localTime = String(format: "%d:%02d", local.hour ?? 0, local.minute ?? 0)
        let place = zones.isEmpty ? "in the business's time zone (\(zone.identifier))" : "where the lead is (\(zone.identifier))"
        let late = allowed.timeIntervalSince(text.createdAt)
        if late > Double(settings.freshnessMinutes) * 60 {
            return try await finish(text, .dropped, "Not sent: it was \(localTime) \(place), and automatic texts wait for 8:00; by then it would be \(FirstContactText.duration(Int(late))) old, past the \(settings.freshnessMinutes)-minute limit.", on: db)
        }
        text.reason = "Waiting for 8:00 \(place): it was \(localTime) there, and automatic texts go only between 8:00 and 21:00."
        try await text.save(on: db)
        throw JobFailure.deferred(allowed.timeIntervalSince(now), text.reason ?? "")
    }

    private func finish(_ text: AutomaticText, _ status: AutomaticText.Status, _ reason: String?, sentAt: Date? = nil, on db: any Database) async throws {
        text.status = status
        text.reason = reason
        if let sentAt { text.sentAt = sentAt }
        try await text.save(on: db)
        // A summary that does not go takes its enquiries' alerts with it, reason and all.
        if text.kind == .alertSummary, status != .sent, let id = text.id {
            for member in try await AutomaticText.query(on: db).filter(\.$summaryID == id).filter(\.$status == .batched).all() {
                member.status = status
                member.reason = reason.map { "In a summary that was not sent. " + $0 }
                try await member.save(on: db)
            }
        }
    }
}
