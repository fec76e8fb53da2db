import Fluent
import Foundation
import SQLKit
import Vapor

/// `leadbridge demo`'s steps that belong to the app: the demo admin, connecting RingCentral
/// without a browser, and a month of believable activity. Every provider call they make goes
/// through the app's real clients, over HTTP, to the sandboxes the command started.
public enum DemoInstall {
    public struct Admin: Sendable {
        public let email: String
        public let password: String
    }

    /// `.test` is reserved (RFC 2606): the address can never belong to anyone.
    public static let adminEmail = "demo@leadbridge.test"
    /// The phone RingCentral rings first when the demo admin presses Call.
    public static let adminOfficePhone = "+14155550123"

    /// The demo admin, created on first start; each start gives it a fresh password to print.
    public static func admin(_ app: Application) async throws -> Admin {
        let password = "demo-" + SecureToken.make().prefix(12)
        let hash = try await app.password.async.hash(password)
        if let user = try await User.query(on: app.db).filter(\.$email == adminEmail).first() {
            user.passwordHash = hash
            user.disabledAt = nil
            try await user.save(on: app.db)
        } else {
            let user = User(email: adminEmail, name: "Demo Admin", passwordHash: hash)
            user.officePhone = adminOfficePhone
            try await user.create(on: app.db)
        }
        return Admin(email: adminEmail, password: password)
    }

    /// Signs in to RingCentral with the JWT credential the sandbox issued (no browser round trip),
    /// then creates the webhook subscription to this server. The app must be listening.
    public static func connectRingCentral(_ app: Application) async throws {
        let ringCentral = app.services.ringCentral
        _ = try await ringCentral.connection.connectWithJWT(try await ringCentral.settings.load())
        try await ringCentral.subscriptions.create()
    }

    /// A kept demo folder starts with new sandboxes (on new ports, knowing nothing): the old
    /// RingCentral tokens and webhook subscription belong to a server that is gone, so they are
    /// forgotten before any worker can try them, and `connectRingCentral` makes new ones.
    public static func forgetEarlierSandboxes(_ app: Application) async throws {
        let ringCentral = app.services.ringCentral
        try await app.db.transaction { tx in
            try await RingCentralTokenRecord.query(on: tx).delete()
            try await RingCentralAccountRecord.query(on: tx).delete()
            let settings = ringCentral.settings(on: tx)
            try await settings.setConnected(false, at: app.services.clock.now())
            try await settings.setValues(["subscription_id": nil, "subscription_status": nil, "subscription_expires_at": nil])
        }
        await ringCentral.forgetCachedTokens()
    }

    /// Whether this database holds enquiries already (a demo folder kept with `--storage`).
    /// Speed to lead on, as an admin would set it, once the month is made (set before, the
    /// month's 200 back-dated enquiries would each queue texts): a form sent in the demo alerts
    /// its staff and answers the lead within seconds.
    public static func turnOnSpeedToLead(_ app: Application) async throws {
        let store = app.services.speedToLead.settings(on: app.db)
        guard try await !store.isSaved() else { return }
        var settings = SpeedToLeadSettings()
        settings.alertNumbers = ["+16505550199"]
        settings.businessName = "Northwind Advisory"
        settings.autoReply = "Hi {first_name}, thanks for contacting {business_name}. We will call you within the hour."
        settings.missedCallTextBack = "Sorry we missed your call. {business_name} will ring you back shortly."
        // The demo's office is always open, so what a newcomer tries answers at any hour (a real
        // install reads RingCentral's business hours or its own).
        settings.hoursFromRingCentral = false
        settings.weeklyHours = BusinessHours.parseWeek("mon-sun 00:00-23:59") ?? [:]
        try await store.save(settings)
    }

    public static func hasData(_ app: Application) async throws -> Bool {
        try await Enquiry.query(on: app.db).count() > 0
    }

    public struct Summary: Sendable {
        public let enquiries: Int
        public let synced: Int
        public let failed: Int
        public let exported: Int
        public let calls: Int
        public let texts: Int
    }

    /// About 200 enquiries over the 30 days before `now`, pushed through the real paths: most
    /// synced to SuiteDash by the workers, a few refused by SuiteDash (its reason kept), one
    /// failed job to retry, the oldest exported to a CSV; calls fetched by the call-log sync;
    /// texts both ways. `step` reports progress (0...1) and what is happening.
    public static func seed(_ app: Application, providers: any DemoProviders, now: Date,
                            step: @Sendable (Double, String) -> Void = { _, _ in }) async throws -> Summary {
        var month = DemoMonth(now: now, interests: app.services.config.intake.serviceInterests)
        let leads = month.leads(count: 200)
        step(0.05, "Writing 200 enquiries")
        let ids = try await insert(leads, on: app.db)
        let byID = Array(zip(ids, leads))

        // The oldest go out in an import-mode CSV, as before the account had API access.
        step(0.15, "Exporting the oldest to a CSV")
        let exportCutoff = leads.sorted { $0.createdAt < $1.createdAt }[min(13, leads.count - 1)].createdAt
        let exported = try await app.services.suiteDash.exporter.export(
            .init(createdBefore: exportCutoff.addingTimeInterval(1)), createdBy: adminEmail)
        if case .exported(let export, _) = exported {
            try await backdate(export: export, to: exportCutoff.addingTimeInterval(3600), on: app.db)
        }
        let remaining = try await Enquiry.query(on: app.db).filter(\.$status == .pending).sort(\.$createdAt).all()
        let remainingIDs = try remaining.map { try $0.requireID() }

        // A few that SuiteDash refuses, in its words.
        step(0.25, "Syncing to SuiteDash (a few refused)")
        let refused = stride(from: 7, to: remainingIDs.count, by: 23).map { remainingIDs[$0] }
        providers.refuseSuiteDashContacts("The email has already been taken.")
        try await app.services.suiteDash.queueSync(refused, on: app.db)
        try await waitForJobs(app, enquiries: refused)
        providers.refuseSuiteDashContacts(nil)

        // One that failed every try during an outage: a failed job for the admin to retry.
        let stranded = remainingIDs.filter { !refused.contains($0) }.suffix(3).first.map { [$0] } ?? []
        providers.suiteDashOutage(true)
        try await app.db.transaction { tx in
            // Queued with its tries all but spent, in one transaction so no worker sees it before.
            try await app.services.suiteDash.queueSync(stranded, on: tx)
            try await tx.sql().raw("UPDATE jobs SET attempts = max_attempts - 1 WHERE kind = \(bind: SyncEnquiryToSuiteDash.name)").run()
        }
        try await waitForJobs(app, enquiries: stranded)
        providers.suiteDashOutage(false)

        let rest = remainingIDs.filter { !refused.contains($0) && !stranded.contains($0) }
        step(0.35, "Syncing \(rest.count) enquiries to SuiteDash")
        try await app.services.suiteDash.queueSync(rest, on: app.db)
        try await waitForJobs(app, enquiries: rest) { done in step(0.35 + 0.35 * Double(done) / Double(max(rest.count, 1)), "Syncing \(rest.count) enquiries to SuiteDash") }
        // The workers synced them just now; the month had them synced seconds after each arrived.
        for (id, lead) in byID where rest.contains(id) {
            try await app.db.sql().raw("""
                UPDATE contact_submissions SET synced_at = \(bind: lead.createdAt.addingTimeInterval(lead.syncDelay)),
                updated_at = \(bind: lead.createdAt.addingTimeInterval(lead.syncDelay))
                WHERE id = \(bind: id) AND status = 'synced'
                """).run()
            // Its audit lines too, so the enquiry's timeline reads in order.
            try await app.db.sql().raw("""
                UPDATE integration_logs SET created_at = \(bind: lead.createdAt.addingTimeInterval(lead.syncDelay)),
                updated_at = \(bind: lead.createdAt.addingTimeInterval(lead.syncDelay))
                WHERE related_type = \(bind: IntegrationLog.aboutEnquiry) AND related_id = \(bind: id)
                """).run()
        }
        for id in refused + stranded {
            let lead = byID.first { $0.0 == id }!.1
            let tried = lead.createdAt.addingTimeInterval(lead.syncDelay)
            try await app.db.sql().raw("UPDATE contact_submissions SET updated_at = \(bind: tried) WHERE id = \(bind: id)").run()
            try await app.db.sql().raw("""
                UPDATE integration_logs SET created_at = \(bind: tried), updated_at = \(bind: tried)
                WHERE related_type = \(bind: IntegrationLog.aboutEnquiry) AND related_id = \(bind: id)
                """).run()
        }

        step(0.75, "Calls in RingCentral's call log")
        let calls = month.calls(for: byID.filter { $0.1.phone != nil })
        for call in calls { providers.addCall(call) }
        _ = try await app.services.ringCentral.callLog.sync(dateFrom: now.addingTimeInterval(-31 * 86400))

        step(0.9, "Texts")
        let admin = try await User.query(on: app.db).filter(\.$email == adminEmail).first()
        let texts = month.texts(for: byID.filter { $0.1.phone != nil }, userNumber: providers.userNumber)
        try await insert(texts, sentBy: admin?.id, on: app.db)

        let counts = try await EnquiryCounts.read(on: app.db)
        step(1, "Ready")
        return Summary(enquiries: counts.total, synced: counts.count(.synced), failed: counts.count(.failed),
                       exported: counts.count(.exported), calls: calls.count, texts: texts.count)
    }

    /// A text about an enquiry arriving now, for the demo's stream of replies; nil when none has a phone.
    public static func nextInboundText(_ app: Application, turn: Int) async throws -> (from: String, text: String)? {
        let recent = try await Enquiry.query(on: app.db).filter(\.$phone != nil)
            .sort(\.$createdAt, .descending).limit(12).all()
        guard !recent.isEmpty, let phone = recent[turn % recent.count].phone else { return nil }
        return (phone, DemoMonth.replies[turn % DemoMonth.replies.count])
    }

    private static func insert(_ leads: [DemoMonth.Lead], on db: any Database) async throws -> [Int] {
        try await db.transaction { tx -> [Int] in
            var ids: [Int] = []
            for lead in leads {
                let enquiry = Enquiry()
                enquiry.firstName = lead.firstName
                enquiry.lastName = lead.lastName
                enquiry.email = lead.email
                enquiry.phone = lead.phone
                enquiry.company = lead.company
                enquiry.serviceInterest = lead.interest
                enquiry.message = lead.message
                enquiry.source = lead.source
                enquiry.consent = true
                enquiry.consentAt = lead.createdAt
                enquiry.ip = "203.0.113.\(10 + ids.count % 200)"
                enquiry.userAgent = "Mozilla/5.0 (demo)"
                enquiry.status = .pending
                try await enquiry.create(on: tx)
                let id = try enquiry.requireID()
                // Fluent stamps created_at with the present; the month happened in the past.
                try await tx.sql().raw("""
                    UPDATE contact_submissions SET created_at = \(bind: lead.createdAt), updated_at = \(bind: lead.createdAt)
                    WHERE id = \(bind: id)
                    """).run()
                ids.append(id)
            }
            // Into the search index now: the demo's month is searched at once, and read from the index.
            try await EnquirySearchBacklog.indexAll(on: tx)
            return ids
        }
    }

    private static func backdate(export: SuiteDashExport, to date: Date, on db: any Database) async throws {
        let sql = try db.sql()
        let id = try export.requireID()
        try await sql.raw("UPDATE suitedash_exports SET created_at = \(bind: date), updated_at = \(bind: date) WHERE id = \(bind: id)").run()
        try await sql.raw("UPDATE contact_submissions SET exported_at = \(bind: date), updated_at = \(bind: date) WHERE export_id = \(bind: id)").run()
    }

    private static func insert(_ texts: [DemoMonth.Text], sentBy: Int?, on db: any Database) async throws {
        try await db.transaction { tx in
            let sql = try tx.sql()
            for text in texts {
                try await sql.insert(into: "sms_messages")
                    .columns("ringcentral_id", "contact_submission_id", "direction", "from_number", "to_number", "text", "status",
                             "sent_by_user_id", "sent_at", "created_at", "updated_at")
                    .values(SQLBind(text.ringCentralID), SQLBind(text.enquiryID), SQLBind(text.inbound ? "inbound" : "outbound"),
                            SQLBind(text.from), SQLBind(text.to), SQLBind(text.body), SQLBind(text.inbound ? "Received" : "Delivered"),
                            SQLBind(text.inbound ? nil : sentBy), SQLBind(text.at), SQLBind(text.at), SQLBind(text.at))
                    .run()
            }
        }
    }

    /// Waits until no job for these enquiries is left in the queue (done, or failed for good).
    private static func waitForJobs(_ app: Application, enquiries: [Int], progress: (Int) -> Void = { _ in }) async throws {
        let keys = Set(enquiries.map(SyncEnquiryToSuiteDash.uniqueKey))
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let waiting = try await QueuedJob.query(on: app.db).filter(\.$kind == SyncEnquiryToSuiteDash.name).all()
                .filter { $0.uniqueKey.map(keys.contains) ?? false }.count
            progress(enquiries.count - waiting)
            if waiting == 0 { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw Abort(.internalServerError, reason: "The demo's SuiteDash syncs did not finish within two minutes.")
    }
}
