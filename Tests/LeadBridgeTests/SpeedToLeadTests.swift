import Fluent
import Foundation
import NIOCore
import ProviderSandbox
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// Speed to lead against the RingCentral sandbox over real HTTP: staff alerts, instant
/// replies, missed-call texts, STOP, and time to first contact.
@Suite("Speed to lead")
struct SpeedToLeadTests {
    static let staff = "+16505550199"
    static let lead = "+14155550100"
    static let office = RingCentralSandbox.directNumber
    static let secret = "the-webhook-secret"

    static func configure(_ config: inout AppConfig, alerts: Bool = false, reply: Bool = false, missedCall: Bool = false,
                          quietHours: Bool = false) {
        config.ringCentral.webhookSecret = secret
        // The real clock may be night where the test's numbers are; the quiet-hours tests move a clock of their own.
        config.speedToLead.ignoresQuietHours = !quietHours
        config.speedToLead.businessName = "Acme Advisory"
        if alerts { config.speedToLead.alertNumbers = [staff] }
        if reply { config.speedToLead.autoReply = "Hi {first_name}, thanks for contacting {business_name} about {company}. We'll call you shortly." }
        if missedCall { config.speedToLead.missedCallTextBack = "Sorry we missed your call, {first_name}. {business_name} will ring you back." }
    }

    static func texts(_ sandbox: SandboxServer, to number: String) -> [RingCentralSandbox.Message] {
        sandbox.ringCentral.messages.filter { $0.direction == "Outbound" && $0.to.contains(number) }
    }

    static func automatic(_ app: Application, _ kind: AutomaticText.Kind) async throws -> [AutomaticText] {
        try await AutomaticText.query(on: app.db).filter(\.$kind == kind).sort(\.$id).all()
    }

    /// A notification as RingCentral posts it, verified by the webhook secret.
    static func postWebhook(_ app: Application, uuid: String = UUID().uuidString, event: String, at: Date = Date(), body: String) async throws {
        let json = #"{"uuid":"\#(uuid)","event":"\#(event)","timestamp":"\#(webhookTimestamp(at))","subscriptionId":"sub-1","body":\#(body)}"#
        let response = try await app.testing().sendRequest(.POST, "/api/webhooks/ringcentral", headers: [
            "Content-Type": "application/json", "Verification-Token": secret], body: ByteBuffer(string: json))
        #expect(response.status == .ok, "\(response.body.string)")
    }

    /// A text reaches RingCentral (which keeps its own opt-outs) and then us, by webhook.
    static func inboundText(_ app: Application, _ sandbox: SandboxServer, from: String, text: String) async throws {
        _ = try await sandbox.ringCentral.simulateInboundSMS(from: PhoneNumber.e164(from) ?? from, to: office, text: text)
        try await postWebhook(app, event: "/restapi/v1.0/account/~/extension/~/message-store/instant?type=SMS",
                              body: #"{"id":"\#(Int.random(in: 1...999_999_999))","from":{"phoneNumber":"\#(from)"},"to":[{"phoneNumber":"\#(office)"}],"subject":"\#(text)","direction":"Inbound","type":"SMS"}"#)
    }

    static func missedCallNotification(_ app: Application, from: String, session: String, at: Date = Date()) async throws {
        try await postWebhook(app, event: "/restapi/v1.0/account/~/extension/~/telephony/sessions", at: at, body: """
            {"sequence":1,"telephonySessionId":"\(session)","eventTime":"\(webhookTimestamp(at))","origin":{"type":"Call"},
             "parties":[{"id":"p-1","direction":"Inbound","from":{"phoneNumber":"\(from)"},"to":{"phoneNumber":"\(office)"},
                         "status":{"code":"Disconnected"},"missedCall":true}]}
            """)
    }

    @Test("a staff alert goes once per enquiry, with name, interest, first words and link; the next minute's enquiries come in one summary")
    func alertOnceThenSummary() async throws {
        try await withRingCentral({ Self.configure(&$0, alerts: true); $0.appURL = "https://leads.example.com" }) { app, sandbox in
            let first = try await app.submitEnquiry(firstName: "Ann", lastName: "Lee", interest: "Marketing & Growth",
                                                    message: "We are opening three new offices next spring and need a plan for hiring.")
            #expect(try await QueuedJob.query(on: app.db).filter(\.$kind == SendAutomaticText.name).count() == 1)
            try await app.runDueJobs()
            var alerts = Self.texts(sandbox, to: Self.staff)
            #expect(alerts.count == 1)
            let text = try #require(alerts.first?.text)
            #expect(text.contains("Ann Lee"))
            #expect(text.contains("Marketing & Growth"))
            #expect(text.contains("We are opening three new offices"))
            #expect(text.contains("https://leads.example.com/admin/submissions/\(first)"))
            #expect(text.utf16.count <= 1000)
            // Run again (a worker that died after sending): nothing more.
            try await app.db.sql().update("automatic_texts").set("status", to: "queued").run()
            try await app.services.jobQueue.enqueue(SendAutomaticText.self, .init(automaticTextID: try #require(try await Self.automatic(app, .alert).first?.id)), on: app.db)
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: Self.staff).count == 1, "never twice for one enquiry")

            // A burst within the minute: one summary, when the minute is up.
            for name in ["Bo", "Cy", "Di"] { try await app.submitEnquiry(firstName: name, lastName: "Burst") }
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: Self.staff).count == 1)
            let batched = try await Self.automatic(app, .alert).filter { $0.status == .batched }
            #expect(batched.count == 3)
            let summary = try #require(try await Self.automatic(app, .alertSummary).first)
            #expect(Set(batched.map(\.summaryID)) == [summary.id])
            let summaryJob = try #require(try await QueuedJob.query(on: app.db).filter(\.$kind == SendAutomaticText.name).first())
            #expect(summaryJob.availableAt > Date().addingTimeInterval(30), "the summary waits for the minute to end")
            try await app.makeAllJobsDue()
            try await app.runDueJobs()
            alerts = Self.texts(sandbox, to: Self.staff)
            #expect(alerts.count == 2)
            let summaryText = try #require(alerts.last?.text)
            #expect(summaryText.hasPrefix("3 more new enquiries in the last minute"))
            for name in ["Bo Burst", "Cy Burst", "Di Burst"] { #expect(summaryText.contains(name)) }
            #expect(try await Self.automatic(app, .alert).allSatisfy { $0.status == .sent })
            // The enquiry's timeline says its staff were told.
            let page = try await app.signedInBrowser().get("/admin/submissions/\(first)").text
            #expect(page.contains("Staff alerted (\(Self.staff))"))
        }
    }

    @Test("the instant reply goes only with consent and a phone, at most once a day per number, never after STOP, and not after an erasure either")
    func instantReplyRules() async throws {
        try await withRingCentral({ Self.configure(&$0, reply: true); $0.intake.consentRequired = false }) { app, sandbox in
            // No consent: nothing is even queued.
            let fields: [String: Any] = ["first_name": "Nope", "phone": "+14155550111", "service_interest": "Other", "message": "Hi", "consent": false]
            let refused = try await app.testing().sendRequest(.POST, "/api/contact", headers: ["Content-Type": "application/json"],
                                                             body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: fields)))
            #expect(refused.status == .created)
            // No phone: nothing either.
            try await app.submitEnquiry(email: "mail@example.com", phone: nil)
            #expect(try await Self.automatic(app, .autoReply).isEmpty)

            let id = try await app.submitEnquiry(firstName: "Ada", company: "Analytical Engines Ltd")
            try await app.runDueJobs()
            var replies = Self.texts(sandbox, to: Self.lead)
            #expect(replies.count == 1)
            #expect(replies.first?.text == "Hi Ada, thanks for contacting Acme Advisory about Analytical Engines Ltd. We'll call you shortly.\nReply STOP to opt out.")
            #expect(try await Self.automatic(app, .autoReply).first?.status == .sent)
            // An automatic text is not a person's first contact.
            #expect(try await Enquiry.find(id, on: app.db)?.firstContactAt == nil)
            let page = try await app.signedInBrowser().get("/admin/submissions/\(id)").text
            #expect(page.contains("Instant reply to \(Self.lead)"))

            // The same phone again within the day: dropped, with the reason.
            try await app.submitEnquiry(firstName: "Ada")
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: Self.lead).count == 1)
            let second = try #require(try await Self.automatic(app, .autoReply).last)
            #expect(second.status == .dropped)
            #expect(second.reason?.contains("at most one a day") == true)

            // A day later it may go again.
            try await app.db.sql().update("automatic_texts").set("sent_at", to: SQLBind(Date().addingTimeInterval(-25 * 3600))).run()
            try await app.submitEnquiry(firstName: "Ada")
            try await app.runDueJobs()
            replies = Self.texts(sandbox, to: Self.lead)
            #expect(replies.count == 2)

            // STOP: never again, and the enquiry says so; a person's text asks for confirmation.
            try await Self.inboundText(app, sandbox, from: "+1 (415) 555-0100", text: "Stop")
            #expect(try await app.db.sql().select().column("number_hash").from("do_not_text").all().count == 1)
            try await app.db.sql().update("automatic_texts").set("sent_at", to: SQLBind(Date().addingTimeInterval(-25 * 3600))).run()
            let afterStop = try await app.submitEnquiry(firstName: "Ada")
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: Self.lead).count == 2)
            #expect(try await Self.automatic(app, .autoReply).last?.reason?.contains("texted STOP") == true)
            let browser = try await app.signedInBrowser()
            let enquiryPage = try await browser.get("/admin/submissions/\(afterStop)").text
            #expect(enquiryPage.contains("Texted STOP on"))
            #expect(enquiryPage.contains("Send anyway"))
            let unconfirmed = try await browser.post("/admin/submissions/\(afterStop)/sms", form: ["to": Self.lead, "text": "Following up"])
            #expect(unconfirmed.status == .conflict)
            #expect(unconfirmed.text.contains("texted STOP"))
            // Typed into another enquiry's Send SMS, the number is caught all the same, and the
            // page asks about it, keeping it typed.
            let other = try await app.submitEnquiry(firstName: "Other", email: "other@example.com", phone: "+14155550160")
            let typed = try await browser.post("/admin/submissions/\(other)/sms", form: ["to": "+1 415 555 0100", "text": "Hello"])
            #expect(typed.status == .conflict)
            #expect(typed.text.contains("name=\"override_opt_out\""))
            #expect(typed.text.contains("value=\"\(Self.lead)\""))
            #expect(Self.texts(sandbox, to: Self.lead).count == 2)
            let confirmed = try await browser.post("/admin/submissions/\(afterStop)/sms", form: ["to": Self.lead, "text": "Following up", "override_opt_out": "1"])
            #expect(confirmed.status == .seeOther)
            #expect(Self.texts(sandbox, to: Self.lead).count == 3)
            // RingCentral keeps its own opt-out per pair of numbers: it takes the text, and does not send it.
            try await Task.sleep(for: .milliseconds(1100))
            try await app.makeAllJobsDue()
            try await app.runDueJobs()
            #expect(try await SMSMessage.query(on: app.db).filter(\.$text == "Following up").first()?.status == "SendingFailed")

            // Their data, exported: what each automatic text to them became, and their STOP.
            let download = try await browser.get("/admin/privacy/export?phone=%2B14155550100", accept: "application/json")
            #expect(download.status == .ok)
            let exported = try JSONSerialization.jsonObject(with: Data(download.text.utf8)) as? [String: Any]
            let automatic = try #require(exported?["automaticTexts"] as? [[String: Any]])
            #expect(automatic.filter { $0["kind"] as? String == "auto_reply" }.count == 4, "sent, dropped as the day's second, sent a day later, dropped after STOP")
            #expect(automatic.contains { $0["status"] as? String == "dropped" && ($0["reason"] as? String)?.contains("texted STOP") == true })
            #expect(automatic.allSatisfy { $0["to"] as? String == Self.lead })
            #expect(exported?["textsOptedOutAt"] as? String != nil, "their STOP, with its date")

            // The person is erased: the list keeps their number's hash, and still protects them.
            let person = try PersonQuery(email: nil, phone: Self.lead, defaultCountry: "US")
            _ = try await PersonData(database: app.db, exportsFolder: app.services.config.suiteDash.exportPath)
                .erase(person, requestedBy: "admin@example.com", now: Date())
            #expect(try await Enquiry.query(on: app.db).filter(\.$phone == Self.lead).count() == 0)
            #expect(try await AutomaticText.query(on: app.db).filter(\.$toNumbers == Self.lead).count() == 0)
            let hashes = try await app.db.sql().select().column("number_hash").from("do_not_text").all()
            #expect(hashes.count == 1)
            let stored = try hashes[0].decode(column: "number_hash", as: String.self)
            #expect(!stored.contains("4155550100"))
            try await app.submitEnquiry(firstName: "Ada")
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: Self.lead).count == 3)
            #expect(try await Self.automatic(app, .autoReply).last?.reason?.contains("texted STOP") == true)

            // START opts back in.
            try await Self.inboundText(app, sandbox, from: Self.lead, text: "START")
            #expect(try await app.db.sql().select().column("number_hash").from("do_not_text").all().isEmpty)
        }
    }

    @Test("automatic texts to leads stop at the hourly cap, and at the intake ceiling of one address")
    func capsHoldAFlood() async throws {
        try await withRingCentral({ Self.configure(&$0, reply: true); $0.speedToLead.hourlyCap = 3 }) { app, sandbox in
            for index in 0..<5 { try await app.submitEnquiry(firstName: "Flood", phone: "+1415555020\(index)") }
            try await app.runDueJobs()
            let replies = try await Self.automatic(app, .autoReply)
            #expect(replies.filter { $0.status == .sent }.count == 3)
            let dropped = try await AutomaticText.query(on: app.db).filter(\.$kind == .autoReply).filter(\.$status == .dropped).all()
            #expect(dropped.count == 2, "\(replies.map { ($0.toNumbers, $0.status, $0.reason ?? "") })")
            #expect(dropped.allSatisfy { $0.reason?.contains("cap") == true })
            #expect(sandbox.ringCentral.messages.filter { $0.direction == "Outbound" }.count == 3)
        }
        try await withRingCentral({
            Self.configure(&$0, reply: true)
            $0.intake.rateLimit = 2
            $0.intake.rateLimitWindowSeconds = 1
        }) { app, sandbox in
            // The tests' requests all come from one address: it may send two enquiries a second,
            // and earns two replies an hour.
            for index in 0..<2 { try await app.submitEnquiry(firstName: "Flood", phone: "+1415555030\(index)") }
            try await app.runDueJobs()
            // Its window passes for enquiries, but not for the replies it earns.
            try await Task.sleep(for: .milliseconds(1100))
            try await app.submitEnquiry(firstName: "Flood", phone: "+14155550309")
            try await app.runDueJobs()
            let replies = try await Self.automatic(app, .autoReply)
            #expect(replies.map(\.status) == [.sent, .sent, .dropped])
            #expect(replies.last?.reason?.contains("intake limit") == true)
            #expect(sandbox.ringCentral.messages.filter { $0.direction == "Outbound" }.count == 2)
        }
    }

    @Test("a missed call is texted back once: from the telephony webhook, not again from the call log, and a call only the log saw is texted too")
    func missedCallTextBack() async throws {
        try await withRingCentral({ Self.configure(&$0, missedCall: true) }) { app, sandbox in
            let enquiry = try await app.submitEnquiry(firstName: "Ada")
            let record = sandbox.ringCentral.addCallLogRecord(direction: "Inbound", from: Self.lead, to: Self.office,
                                                              startTime: Date().addingTimeInterval(-20), duration: 0, result: "Missed")
            try await Self.missedCallNotification(app, from: Self.lead, session: record.telephonySessionID)
            // Delivered twice (RingCentral delivers at least once): one text.
            try await Self.missedCallNotification(app, from: Self.lead, session: record.telephonySessionID)
            try await app.runDueJobs()
            let texts = Self.texts(sandbox, to: Self.lead)
            #expect(texts.count == 1)
            #expect(texts.first?.text == "Sorry we missed your call, Ada. Acme Advisory will ring you back.\nReply STOP to opt out.")

            // The call log brings the same call: no second text.
            _ = try await app.services.ringCentral.callLog.sync(dateFrom: Date().addingTimeInterval(-3600))
            #expect(try await Self.automatic(app, .missedCall).count == 1)
            // Another missed call from that number the same day: at most once a day.
            sandbox.ringCentral.addCallLogRecord(direction: "Inbound", from: Self.lead, to: Self.office,
                                                 startTime: Date().addingTimeInterval(-10), duration: 0, result: "Voicemail")
            // A caller who never sent an enquiry, seen only in the call log; and one from last week.
            sandbox.ringCentral.addCallLogRecord(direction: "Inbound", from: "+14155550177", to: Self.office,
                                                 startTime: Date().addingTimeInterval(-60), duration: 0, result: "Missed")
            sandbox.ringCentral.addCallLogRecord(direction: "Inbound", from: "+14155550178", to: Self.office,
                                                 startTime: Date().addingTimeInterval(-6 * 86_400), duration: 0, result: "Missed")
            _ = try await app.services.ringCentral.callLog.sync(dateFrom: Date().addingTimeInterval(-7 * 86_400))
            try await app.runDueJobs()
            let rows = try await Self.automatic(app, .missedCall)
            #expect(rows.count == 3, "the week-old call is history, not queued")
            #expect(rows[1].status == .dropped)
            #expect(rows[1].reason?.contains("at most one a day") == true)
            #expect(rows[2].status == .sent)
            #expect(Self.texts(sandbox, to: Self.lead).count == 1)
            #expect(Self.texts(sandbox, to: "+14155550177").first?.text == "Sorry we missed your call, there. Acme Advisory will ring you back.\nReply STOP to opt out.")

            let browser = try await app.signedInBrowser()
            let timeline = try await browser.get("/admin/submissions/\(enquiry)").text
            #expect(timeline.contains("Missed-call text to \(Self.lead)"))
            #expect(timeline.contains("Inbound call from \(Self.lead)"))
            let calls = try await browser.get("/admin/call-logs?matched=no").text
            #expect(calls.contains("+14155550177"))
            #expect(calls.contains("texted back"))

            // Retention takes the automatic texts of a caller who never sent an enquiry too: they name a number.
            try await app.db.sql().update("automatic_texts").set("created_at", to: SQLBind(Date().addingTimeInterval(-40 * 86_400))).run()
            _ = try await RetentionSweep.sweep(days: 30, database: app.db, exportsFolder: app.services.config.suiteDash.exportPath, now: Date())
            #expect(try await AutomaticText.query(on: app.db).count() == 0)
        }
    }

    @Test("time to first contact comes from a person's real calls and texts, the earliest after the enquiry; the list sorts by it and the dashboard shows the median and who waits")
    func firstContact() async throws {
        try await withRingCentral({ Self.configure(&$0) }) { app, sandbox in
            // A call before the enquiry does not count.
            sandbox.ringCentral.addCallLogRecord(direction: "Outbound", from: Self.office, to: Self.lead,
                                                 startTime: Date().addingTimeInterval(-600), duration: 30, result: "Call connected")
            let id = try await app.submitEnquiry(firstName: "Ada")
            let waiting = try await app.submitEnquiry(firstName: "Wendy", email: "wendy@example.com", phone: "+14155550122")
            let emailOnly = try await app.submitEnquiry(firstName: "Eve", email: "eve@example.com", phone: nil)
            _ = try await app.services.ringCentral.callLog.sync(dateFrom: Date().addingTimeInterval(-3600))
            #expect(try await Enquiry.find(id, on: app.db)?.firstContactAt == nil)

            let browser = try await app.signedInBrowser()
            let sent = try await browser.post("/admin/submissions/\(id)/sms", form: ["to": Self.lead, "text": "Hello Ada"])
            #expect(sent.status == .seeOther)
            let afterText = try #require(try await Enquiry.find(id, on: app.db))
            let textedAt = try #require(afterText.firstContactAt)
            let created = try #require(afterText.createdAt)
            #expect(afterText.firstContactSeconds == Int(textedAt.timeIntervalSince(created).rounded(.down)))

            // The call log then shows an earlier outbound call after the enquiry: that was first.
            let callTime = created.addingTimeInterval(0.5)
            sandbox.ringCentral.addCallLogRecord(direction: "Outbound", from: Self.office, to: Self.lead,
                                                 startTime: callTime, duration: 20, result: "Call connected")
            _ = try await app.services.ringCentral.callLog.sync(dateFrom: Date().addingTimeInterval(-3600))
            let afterCall = try #require(try await Enquiry.find(id, on: app.db))
            #expect(afterCall.firstContactSeconds == 0)
            #expect(abs((afterCall.firstContactAt ?? .distantPast).timeIntervalSince(callTime)) < 1)

            // A later text does not replace it.
            _ = try await browser.post("/admin/submissions/\(id)/sms", form: ["to": Self.lead, "text": "Again"])
            #expect(try await Enquiry.find(id, on: app.db)?.firstContactSeconds == 0)

            let page = try await browser.get("/admin/submissions/\(id)").text
            #expect(page.contains("0 s after it came in"))
            #expect(try await browser.get("/admin/submissions/\(waiting)").text.contains("Waiting for"))
            #expect(try await browser.get("/admin/submissions/\(emailOnly)").text.contains("No phone to call or text"))

            let fastest = try await browser.get("/admin/submissions?sort=first_contact").text
            #expect(fastest.contains("1 enquiry"))
            #expect(fastest.contains("/admin/submissions/\(id)\""))
            let oldestWaiting = try await browser.get("/admin/submissions?sort=waiting").text
            #expect(oldestWaiting.contains("/admin/submissions/\(waiting)\""))
            #expect(!oldestWaiting.contains("/admin/submissions/\(id)\""))
            #expect(try await browser.get("/admin/submissions?sort=sideways").status == .badRequest)

            let dashboard = try await browser.get("/admin").text
            #expect(dashboard.contains("0 s</span> median this week"))
            #expect(dashboard.contains("The last 7 days: 1 of 2 enquiries with a phone contacted."))
            #expect(dashboard.contains("Wendy"))
        }
    }

    @Test("RingCentral not connected: nothing is queued, and the dashboard says why")
    func notConnected() async throws {
        try await withRingCentral(connected: false, { Self.configure(&$0, alerts: true, reply: true) }) { app, _ in
            try await app.submitEnquiry()
            #expect(try await AutomaticText.query(on: app.db).count() == 0)
            #expect(try await QueuedJob.query(on: app.db).filter(\.$kind == SendAutomaticText.name).count() == 0)
            try await app.createAdmin()
            let dashboard = try await app.signedInBrowser().get("/admin").text
            #expect(dashboard.contains("RingCentral is not connected: no alerts, instant replies or missed-call texts are queued"))
        }
    }

    @Test("RingCentral needs signing in again: texts wait and go after the reconnect, unless they are older than the freshness limit")
    func waitsForReconnectThenSendsOrDrops() async throws {
        try await withRingCentral({ Self.configure(&$0, alerts: true, reply: true) }) { app, sandbox in
            try await app.ageRingCentralToken()
            sandbox.ringCentral.revokeAllTokens()
            try await app.submitEnquiry(firstName: "Fresh", phone: "+14155550131")
            try await app.runDueJobs()
            let held = try await QueuedJob.query(on: app.db).filter(\.$kind == SendAutomaticText.name).all()
            #expect(held.count == 2)
            #expect(held.allSatisfy { $0.waitingFor == RingCentralService.waitKey })
            #expect(sandbox.ringCentral.messages.isEmpty)
            #expect(try await app.signedInBrowser().get("/admin").text.contains("RingCentral needs signing in again"))

            try await app.connectRingCentral(sandbox)
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: "+14155550131").count == 1)
            #expect(Self.texts(sandbox, to: Self.staff).count == 1)

            // Again, but the reconnect comes three hours later (the limit is 120 minutes).
            try await app.ageRingCentralToken()
            sandbox.ringCentral.revokeAllTokens()
            try await app.submitEnquiry(firstName: "Stale", phone: "+14155550132")
            try await app.runDueJobs()
            try await app.db.sql().update("automatic_texts").set("created_at", to: SQLBind(Date().addingTimeInterval(-3 * 3600)))
                .where("status", .equal, "queued").run()
            try await app.connectRingCentral(sandbox)
            try await app.makeAllJobsDue()
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: "+14155550132").isEmpty)
            #expect(Self.texts(sandbox, to: Self.staff).count == 1)
            // The reply, the alert (in the minute's summary) and the summary: each dropped, saying why.
            let stale = try await AutomaticText.query(on: app.db).filter(\.$status == .dropped).sort(\.$id).all()
            #expect(stale.map(\.kind) == [.alert, .autoReply, .alertSummary])
            #expect(stale.allSatisfy { $0.reason?.contains("within 120 minutes") == true })
        }
    }

    @Test("templates and numbers are checked at start-up, each problem named in a sentence")
    func startUpChecks() throws {
        func problem(_ values: [String: String]) -> String? {
            do {
                _ = try AppConfig.load(from: values)
                return nil
            } catch {
                return String(describing: error)
            }
        }
        #expect(problem(["LEAD_ALERT_SMS_TO": "+16505550199, +1 650 555 0198"]) == nil)
        #expect(problem(["LEAD_ALERT_SMS_TO": "+16505550199, 0207 946 0000"])?.contains("LEAD_ALERT_SMS_TO: \"0207 946 0000\" is not a number in international format") == true)
        #expect(problem(["LEAD_AUTO_REPLY_SMS": "Hi {firstname}!"])?.contains("LEAD_AUTO_REPLY_SMS uses {firstname}, which is not a placeholder") == true)
        #expect(problem(["MISSED_CALL_TEXT_BACK": "About {company}"])?.contains("MISSED_CALL_TEXT_BACK uses {company}, which this text cannot fill in") == true)
        #expect(problem(["LEAD_AUTO_REPLY_SMS": "Thanks from {business_name}"])?.contains("set BUSINESS_NAME") == true)
        // 690 emoji are 1,380 UTF-16 units: over, as RingCentral counts, though 690 characters.
        let long = problem(["LEAD_AUTO_REPLY_SMS": String(repeating: "😀", count: 690)])
        #expect(long?.contains("RingCentral accepts at most 1000") == true)
        #expect(problem(["AUTO_TEXT_HOURLY_CAP": "0"])?.contains("AUTO_TEXT_HOURLY_CAP must be between 1 and 10000") == true)
        let config = try AppConfig.load(from: ["LEAD_ALERT_SMS_TO": "+1 650-555-0199", "LEAD_AUTO_REPLY_SMS": "Hi {first_name}!\\nTalk soon."])
        #expect(config.speedToLead.alertNumbers == ["+16505550199"])
        #expect(config.speedToLead.autoReply == "Hi {first_name}!\nTalk soon.")
    }

    @Test("Admin > Speed to lead saves checked values, refuses bad ones with the sentence, and lists what became of each text")
    func adminPage() async throws {
        try await withRingCentral({ Self.configure(&$0) }) { app, _ in
            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin/speed-to-lead")
            #expect(page.status == .ok)
            #expect(page.text.contains("These values come from the environment"))
            let form = ["alert_numbers": "+16505550199, 650 555", "business_name": "Acme", "auto_reply": "Hi {name}",
                        "missed_call_text_back": "", "hourly_cap": "20", "freshness_minutes": "120"]
            let refused = try await browser.post("/admin/speed-to-lead", form: form)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("Alert numbers: &quot;650 555&quot; is not a number in international format"))
            #expect(refused.text.contains("Instant reply uses {name}, which is not a placeholder"))
            #expect(refused.text.contains("Hi {name}"), "what was typed is kept")
            #expect(try await app.services.speedToLead.settings(on: app.db).isSaved() == false)

            var good = form
            good["alert_numbers"] = "+16505550199"
            good["auto_reply"] = "Hi {first_name}, {business_name} here."
            let saved = try await browser.post("/admin/speed-to-lead", form: good)
            #expect(saved.status == .seeOther)
            let settings = try await app.services.speedToLead.settings(on: app.db).load()
            #expect(settings.alertNumbers == ["+16505550199"])
            #expect(settings.autoReply == "Hi {first_name}, {business_name} here.")
            #expect(settings.businessName == "Acme")

            try await app.submitEnquiry(firstName: "Ada")
            try await app.runDueJobs()
            let list = try await browser.get("/admin/speed-to-lead").text
            #expect(list.contains("Instant reply"))
            #expect(list.contains("Staff alert"))
            #expect(list.contains("status-sent"))
        }
    }

    @Test("a template fills in one pass: a lead's own braces are never read as placeholders, and long values are cut to fit")
    func templateRendering() {
        let template = TextTemplate(text: "Hi {first_name} from {company}, {business_name}")
        #expect(template.render(firstName: "{business_name}", company: nil, businessName: "Acme")
            == "Hi {business_name} from your company, Acme\n" + TextTemplate.optOutLine)
        let long = template.render(firstName: String(repeating: "é", count: 500), company: "X", businessName: "Acme")
        #expect(long.contains("Hi " + String(repeating: "é", count: 30) + " from"), "a visitor's name is cut short")
        #expect(TextTemplate(text: "Text STOP to end these.").render(firstName: nil, company: nil, businessName: "") == "Text STOP to end these.")
        #expect(DoNotText.keyword(in: " stop. ") == .stop("STOP"))
        #expect(DoNotText.keyword(in: "Please don't stop calling") == nil)
        #expect(DoNotText.keyword(in: "unstop") == .start("UNSTOP"))
    }
}

/// A staff alert quotes what a visitor typed, and a phone turns any address in a text into a
/// tap: a spammer's link must not reach staff phones looking like the business sent it.
@Suite struct LeadAlertTextTests {
    private func enquiry(_ id: Int, first: String, last: String? = nil, interest: String? = nil, message: String? = nil) -> Enquiry {
        let enquiry = Enquiry()
        enquiry.id = id
        enquiry.firstName = first
        enquiry.lastName = last
        enquiry.serviceInterest = interest
        enquiry.message = message
        return enquiry
    }

    @Test func linksAVisitorTypedNeverReachStaffPhones() {
        let spam = enquiry(7, first: "Win", last: "www.prize.test", interest: "SEO at http://seo.example",
                           message: "Claim at https://evil.example/win?x=1 now, or visit Spam.Test/offer. Call me at 3.50 p.m., e.g. today.")
        let text = LeadAlertText.single(spam, appURL: "https://leads.example.com/")
        for link in ["prize.test", "seo.example", "evil.example", "Spam.Test", "https://evil", "http://seo"] {
            #expect(!text.contains(link), "\(link) in: \(text)")
        }
        #expect(text.contains("Win [link]"))
        #expect(text.contains("Claim at [link] now, or visit [link] Call me at 3.50 p.m., e.g. today."))
        #expect(text.hasSuffix("\nhttps://leads.example.com/admin/submissions/7"), "our own link stays")

        let summary = LeadAlertText.summary([spam, enquiry(8, first: "Ann", last: "Lee", interest: "Design")], appURL: "https://leads.example.com")
        #expect(!summary.contains("prize.test") && !summary.contains("seo.example"))
        #expect(summary.contains("Ann Lee (Design)"))
    }
}
