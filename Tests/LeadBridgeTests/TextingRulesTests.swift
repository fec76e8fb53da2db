import Fluent
import Foundation
import NIOCore
import ProviderSandbox
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// Issue #33's texting rules against the RingCentral sandbox over real HTTP: the texting consent
/// of its own, keywords (HELP, STOP, START), quiet hours in the lead's time, and business hours
/// from RingCentral or from Speed to lead with their after-hours texts.
@Suite("Texting rules")
struct TextingRulesTests {
    static let lead = SpeedToLeadTests.lead // +1 415: America/Los_Angeles

    /// The latest moment at least `before` seconds ago that reads `hour`:00 in `zone`, on
    /// `weekday` (Foundation's: Sunday 1) when given: a past moment, so tokens the sandbox
    /// issues in real time stay valid on the test's clock.
    static func moment(hour: Int, weekday: Int? = nil, in zone: String, atLeast before: TimeInterval) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        let limit = Date().addingTimeInterval(-before)
        for back in 0..<9 {
            let day = calendar.date(byAdding: .day, value: -back, to: calendar.startOfDay(for: limit))!
            let candidate = calendar.date(bySettingHour: hour, minute: 0, second: 0, of: day)!
            if candidate <= limit, weekday.map({ calendar.component(.weekday, from: candidate) == $0 }) ?? true { return candidate }
        }
        fatalError("no such moment in nine days")
    }

    static func texts(_ sandbox: SandboxServer, to number: String) -> [RingCentralSandbox.Message] {
        SpeedToLeadTests.texts(sandbox, to: number)
    }

    // MARK: Texting consent

    @Test("no texting consent, no instant reply; ticked, one, with its words, time, address and user agent kept; a lead who texted first is answered")
    func smsConsentGatesInstantReplies() async throws {
        try await withRingCentral({ SpeedToLeadTests.configure(&$0, reply: true) }) { app, sandbox in
            let without = try await app.submitEnquiry(firstName: "Nosms", phone: "+14155550121", smsConsent: false)
            #expect(try await SpeedToLeadTests.automatic(app, .autoReply).isEmpty, "contact consent alone never texts")
            let stored = try #require(try await Enquiry.find(without, on: app.db))
            #expect(stored.consent)
            #expect(!stored.smsConsent)
            #expect(stored.smsConsentText == nil)

            let fields: [String: Any] = ["first_name": "Yes", "phone": "+14155550122", "consent": true, "sms_consent": true]
            let response = try await app.testing().sendRequest(.POST, "/api/contact", headers: [
                "Content-Type": "application/json", "User-Agent": "TestBrowser/1.0"],
                body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: fields)))
            #expect(response.status == .created)
            struct Created: Decodable { let id: Int }
            let id = try response.content.decode(Created.self).id
            let ticked = try #require(try await Enquiry.find(id, on: app.db))
            #expect(ticked.smsConsent)
            #expect(ticked.smsConsentAt != nil)
            #expect(ticked.userAgent == "TestBrowser/1.0")
            let words = try #require(ticked.smsConsentText)
            for part in ["Acme Advisory", "Message frequency varies", "Msg & data rates may apply", "STOP", "HELP"] {
                #expect(words.contains(part), "\(part) in \(words)")
            }
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: "+14155550122").count == 1)
            #expect(Self.texts(sandbox, to: "+14155550121").isEmpty)
            let page = try await app.signedInBrowser().get("/admin/submissions/\(id)").text
            #expect(page.contains("Texting consent"))
            #expect(page.contains("Msg &amp; data rates may apply"))

            // A headless site's own words are kept as sent; a tick without a phone means nothing.
            let own: [String: Any] = ["first_name": "Own", "email": "own@example.com", "consent": true, "sms_consent": "on", "sms_consent_text": "Text me, Acme."]
            let ownResponse = try await app.testing().sendRequest(.POST, "/api/contact", headers: ["Content-Type": "application/json"],
                                                                 body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: own)))
            let noPhone = try #require(try await Enquiry.find(try ownResponse.content.decode(Created.self).id, on: app.db))
            #expect(!noPhone.smsConsent, "no number to text")

            // Conversational: the lead texted first, so the reply answers them.
            try await SpeedToLeadTests.inboundText(app, sandbox, from: "+14155550123", text: "Hi, do you do payroll?")
            try await app.submitEnquiry(firstName: "Talker", phone: "+14155550123", smsConsent: false)
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: "+14155550123").count == 1)
        }
    }

    @Test("the contact page shows the texting box unticked beside the contact consent, with Speed to lead's words, and keeps them with the enquiry")
    func contactFormAsksBoth() async throws {
        try await withApp({ $0.speedToLead.businessName = "Acme Advisory" }) { app in
            let browser = Browser(app)
            let page = try await browser.get("/contact")
            #expect(page.text.contains(#"name="consent""#))
            #expect(page.text.contains(#"<input type="checkbox" id="sms_consent" name="sms_consent" value="on">"#), "unticked")
            #expect(page.text.contains("I agree to receive text messages from Acme Advisory"))
            let posted = try await browser.post("/contact", form: [
                "first_name": "Form", "phone": "+14155550131", "consent": "on", "sms_consent": "on",
                "sms_consent_text": "words the visitor never saw"])
            #expect(posted.status == .seeOther)
            let enquiry = try #require(try await Enquiry.query(on: app.db).filter(\.$firstName == "Form").first())
            #expect(enquiry.smsConsent)
            #expect(enquiry.smsConsentText?.hasPrefix("I agree to receive text messages from Acme Advisory") == true)
            #expect(try await app.services.speedToLead.smsConsentWords(on: app.db) == enquiry.smsConsentText)
        }
    }

    // MARK: Keywords

    @Test("HELP gets one reply, sent by the sandbox's webhook; INFO the same; STOPALL stops, YES restarts with a welcome; none counts as first contact")
    func keywords() async throws {
        try await withServedRingCentral({ SpeedToLeadTests.configure(&$0) }) { app, sandbox, _ in
            let id = try await app.submitEnquiry(firstName: "Kim", smsConsent: false)
            let browser = try await app.signedInBrowser()
            #expect(try await browser.post("/admin/integrations/ringcentral/subscription", form: [:]).status == .seeOther)

            // RingCentral delivers the same notification twice: one reply.
            try await sandbox.ringCentral.simulateInboundSMS(from: Self.lead, to: SpeedToLeadTests.office, text: "help", deliveries: 2)
            try await app.runDueJobs()
            var replies = Self.texts(sandbox, to: Self.lead)
            #expect(replies.count == 1)
            let help = try #require(replies.first?.text)
            #expect(help.hasPrefix("Acme Advisory: reply to this number"))
            #expect(help.contains("STOP"))
            // INFO the same day: answered already, so dropped with the reason.
            try await sandbox.ringCentral.simulateInboundSMS(from: Self.lead, to: SpeedToLeadTests.office, text: "INFO")
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: Self.lead).count == 1)
            let second = try #require(try await SpeedToLeadTests.automatic(app, .keywordReply).last)
            #expect(second.status == .dropped)
            #expect(second.reason?.contains("at most one a day") == true)

            // On the enquiry's timeline, and never its first contact.
            let page = try await browser.get("/admin/submissions/\(id)").text
            #expect(page.contains("Keyword reply to \(Self.lead)"))
            #expect(page.contains("Text from \(Self.lead)"))
            #expect(try await Enquiry.find(id, on: app.db)?.firstContactAt == nil)

            // STOPALL: on the do-not-text list, and no reply of ours (RingCentral blocks the pair).
            try await sandbox.ringCentral.simulateInboundSMS(from: Self.lead, to: SpeedToLeadTests.office, text: "STOPALL")
            try await app.runDueJobs()
            #expect(try await app.services.speedToLead.doNotText.isOptedOut(Self.lead, on: app.db) != nil)
            #expect(Self.texts(sandbox, to: Self.lead).count == 1)
            for word in ["UNSUBSCRIBE", "CANCEL", "END", "QUIT"] { #expect(DoNotText.keyword(in: word) == .stop(word)) }
            for word in ["START", "UNSTOP", "YES"] { #expect(DoNotText.keyword(in: " \(word.lowercased())! ") == .start(word)) }
            #expect(DoNotText.keyword(in: "help me with my taxes") == nil)

            // YES: off the list, and welcomed back once.
            try await sandbox.ringCentral.simulateInboundSMS(from: Self.lead, to: SpeedToLeadTests.office, text: "Yes")
            try await app.runDueJobs()
            #expect(try await app.services.speedToLead.doNotText.isOptedOut(Self.lead, on: app.db) == nil)
            replies = Self.texts(sandbox, to: Self.lead)
            #expect(replies.count == 2)
            #expect(replies.last?.text == "You will get texts from Acme Advisory again. Reply HELP for help, STOP to opt out.")
            #expect(try await Enquiry.find(id, on: app.db)?.firstContactAt == nil, "keyword replies are automatic")
        }
    }

    // MARK: Quiet hours

    @Test("a lead at 22:00 their time gets the instant reply at 8:00, waiting with the reason; one that would be stale by then is dropped, saying why")
    func quietHours() async throws {
        let start = Self.moment(hour: 22, in: "America/Los_Angeles", atLeast: 11 * 3600)
        let clock = TestClock(Date())
        let clockTarget = start
        try await withRingCentral(clock: AppClock { clock.now }, {
            SpeedToLeadTests.configure(&$0, reply: true, quietHours: true)
            $0.speedToLead.freshnessMinutes = 720
        }) { app, sandbox in
            // Connected on the real clock; now to the moment the test is about.
            clock.advance(clockTarget.timeIntervalSince(clock.now))
            let id = try await app.submitEnquiry(firstName: "Night")
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: Self.lead).isEmpty, "not at 22:00")
            let waiting = try #require(try await SpeedToLeadTests.automatic(app, .autoReply).first)
            #expect(waiting.status == .queued)
            #expect(waiting.reason?.contains("Waiting for 8:00 where the lead is (America/Los_Angeles): it was 22:00 there") == true, "\(waiting.reason ?? "")")
            let job = try #require(try await QueuedJob.query(on: app.db).filter(\.$kind == SendAutomaticText.name).first())
            #expect(abs(job.availableAt.timeIntervalSince(start.addingTimeInterval(10 * 3600))) < 1, "run_at is 8:00 where the lead is")
            #expect(try await app.signedInBrowser().get("/admin/submissions/\(id)").text.contains("Waiting for 8:00"))

            clock.advance(10 * 3600 - 60)
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: Self.lead).isEmpty, "7:59 is still too early")
            clock.advance(60)
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: Self.lead).count == 1)
            #expect(try await SpeedToLeadTests.automatic(app, .autoReply).first?.status == .sent)
        }
        let late = TestClock(Date())
        let lateTarget = Self.moment(hour: 23, in: "America/New_York", atLeast: 11 * 3600)
        try await withRingCentral(clock: AppClock { late.now }, { SpeedToLeadTests.configure(&$0, reply: true, quietHours: true) }) { app, sandbox in
            // Connected on the real clock; now to the moment the test is about.
            late.advance(lateTarget.timeIntervalSince(late.now))
            try await app.submitEnquiry(firstName: "Late", phone: "+12125550100")
            try await app.runDueJobs()
            let dropped = try #require(try await SpeedToLeadTests.automatic(app, .autoReply).first)
            #expect(dropped.status == .dropped)
            #expect(dropped.reason?.contains("it was 23:00 where the lead is (America/New_York)") == true, "\(dropped.reason ?? "")")
            #expect(dropped.reason?.contains("past the 120-minute limit") == true)
            #expect(sandbox.ringCentral.messages.filter { $0.direction == "Outbound" }.isEmpty)
        }
    }

    @Test("a lead's zone comes from the country code, and in North America from the area code; every zone must be awake; the business's when unknown")
    func leadsTimeZones() {
        let utc = TimeZone(identifier: "UTC")!
        #expect(NumberTimeZones.zones(for: "+14155550100").map(\.identifier) == ["America/Los_Angeles"])
        #expect(NumberTimeZones.zones(for: "+12125550100").map(\.identifier) == ["America/New_York"])
        #expect(NumberTimeZones.zones(for: "+442079460958").map(\.identifier) == ["Europe/London"])
        #expect(Set(NumberTimeZones.zones(for: "+12085550100").map(\.identifier)) == ["America/Boise", "America/Denver", "America/Los_Angeles"])
        #expect(NumberTimeZones.zones(for: "+19995550100").isEmpty, "no such area code: the business's zone")
        // 15:30 UTC is 7:30 in Los Angeles, 10:30 in New York and 15:30 in London.
        let morning = ISO8601DateFormatter().date(from: "2026-06-10T14:30:00Z")!
        #expect(QuietHours.nextAllowed(to: "+14155550100", at: morning, businessZone: utc) == ISO8601DateFormatter().date(from: "2026-06-10T15:00:00Z"))
        #expect(QuietHours.nextAllowed(to: "+12125550100", at: morning, businessZone: utc) == nil)
        #expect(QuietHours.nextAllowed(to: "+442079460958", at: morning, businessZone: utc) == nil)
        // Idaho's 208 spans Mountain and Pacific time: 8:00 Pacific, when both are awake.
        #expect(QuietHours.nextAllowed(to: "+12085550100", at: morning, businessZone: utc) == ISO8601DateFormatter().date(from: "2026-06-10T15:00:00Z"))
        // Unknown: the business's zone decides.
        #expect(QuietHours.nextAllowed(to: "+19995550100", at: morning, businessZone: utc) == nil)
        let tokyo = TimeZone(identifier: "Asia/Tokyo")!
        #expect(QuietHours.nextAllowed(to: "+19995550100", at: morning, businessZone: tokyo) == ISO8601DateFormatter().date(from: "2026-06-10T23:00:00Z"))
    }

    // MARK: Business hours

    @Test("business hours come from RingCentral (the spec's weekly ranges, the extension's zone): after hours the instant reply is the after-hours one, with {opens_at}")
    func hoursFromRingCentral() async throws {
        // Saturday noon in Los Angeles: awake, but the sandbox's office (Monday to Friday, 09:00-18:00, US/Pacific) is closed.
        let saturday = TestClock(Date())
        let saturdayTarget = Self.moment(hour: 12, weekday: 7, in: "America/Los_Angeles", atLeast: 3600)
        try await withRingCentral(clock: AppClock { saturday.now }, {
            SpeedToLeadTests.configure(&$0, reply: true, quietHours: true)
            $0.speedToLead.autoReplyAfterHours = "We're closed now; {business_name} will call you after {opens_at}."
        }) { app, sandbox in
            // Connected on the real clock; now to the moment the test is about.
            saturday.advance(saturdayTarget.timeIntervalSince(saturday.now))
            let page = try await app.signedInBrowser().get("/admin/speed-to-lead").text
            #expect(page.contains("RingCentral&#39;s business hours apply") || page.contains("RingCentral's business hours apply"), "\(page)")
            #expect(page.contains("US/Pacific"))
            #expect(page.contains("Mon 09:00-18:00"))
            #expect(page.contains("Sat closed"))
            try await app.submitEnquiry(firstName: "Weekend")
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: Self.lead).first?.text == "We're closed now; Acme Advisory will call you after 9:00 Monday.\nReply STOP to opt out.")
            #expect((sandbox.ringCentral.stats.callsByEndpoint["GET /restapi/v1.0/account/~/extension/~/business-hours"] ?? 0) == 1, "read once, kept for an hour")
        }
        // A weekday afternoon: open, so the usual reply.
        let tuesday = TestClock(Date())
        let tuesdayTarget = Self.moment(hour: 14, weekday: 3, in: "America/Los_Angeles", atLeast: 3600)
        try await withRingCentral(clock: AppClock { tuesday.now }, {
            SpeedToLeadTests.configure(&$0, reply: true, quietHours: true)
            $0.speedToLead.autoReplyAfterHours = "We're closed now; we'll call you after {opens_at}."
        }) { app, sandbox in
            // Connected on the real clock; now to the moment the test is about.
            tuesday.advance(tuesdayTarget.timeIntervalSince(tuesday.now))
            try await app.submitEnquiry(firstName: "Ada", company: "Engines")
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: Self.lead).first?.text.hasPrefix("Hi Ada, thanks for contacting Acme Advisory") == true)
        }
    }

    @Test("a role that may not read them, or the choice unticked: the hours set in Speed to lead apply, and the page says so; the missed-call text after hours says when it opens")
    func hoursFromSettings() async throws {
        let sunday = TestClock(Date())
        let sundayTarget = Self.moment(hour: 10, weekday: 1, in: "Europe/London", atLeast: 3600)
        try await withRingCentral(clock: AppClock { sunday.now }, {
            SpeedToLeadTests.configure(&$0, missedCall: true, quietHours: true)
            $0.speedToLead.timeZone = "Europe/London"
            $0.speedToLead.weeklyHours = BusinessHours.parseWeek("mon-fri 09:30-17:00")!
            $0.speedToLead.missedCallAfterHours = "Sorry we missed you. {business_name} opens at {opens_at}."
        }) { app, sandbox in
            // Connected on the real clock; now to the moment the test is about.
            sunday.advance(sundayTarget.timeIntervalSince(sunday.now))
            // The role loses the permission the spec names for business hours (ReadExtensions) after connecting.
            sandbox.ringCentral.settings.userPermissions.removeAll { $0 == "ReadExtensions" }
            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin/speed-to-lead").text
            #expect(page.contains("could not be read"), "\(page)")
            #expect(page.contains("the hours set here apply, in Europe/London"))
            try await SpeedToLeadTests.missedCallNotification(app, from: "+442079460958", session: "s-sunday", at: sunday.now)
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: "+442079460958").first?.text == "Sorry we missed you. Acme Advisory opens at 9:30 tomorrow.\nReply STOP to opt out.")

            // Unticked: RingCentral is not asked at all, and the admin's hours are saved with the form.
            let saved = try await browser.post("/admin/speed-to-lead", form: [
                "business_name": "Acme Advisory", "hourly_cap": "20", "freshness_minutes": "120", "time_zone": "Europe/London",
                "hours_monday": "09:00-12:00, 13:00-17:00", "hours_saturday": "10:00-14:00", "hours_sunday": "",
                "missed_call_text_back": "Sorry we missed you.", "missed_call_after_hours": "Closed; back at {opens_at}."])
            #expect(saved.status == .seeOther)
            let settings = try await app.services.speedToLead.settings(on: app.db).load()
            #expect(!settings.hoursFromRingCentral)
            #expect(settings.weeklyHours["monday"] == [.init(from: 540, to: 720), .init(from: 780, to: 1020)])
            #expect(settings.weeklyHours["tuesday"] == [.init(from: 570, to: 1020)], "a day not posted keeps its hours")
            #expect(settings.weeklyHours["sunday"] == nil)
            let after = try await browser.get("/admin/speed-to-lead").text
            #expect(after.contains("The hours set here apply, in Europe/London: Mon 09:00-12:00, 13:00-17:00"))
            let refused = try await browser.post("/admin/speed-to-lead", form: ["business_name": "Acme Advisory", "hourly_cap": "20",
                                                                                   "freshness_minutes": "120", "hours_friday": "nine to five",
                                                                                   "time_zone": "Mars/Olympus"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("Friday: &quot;nine to five&quot; is not hours"))
            #expect(refused.text.contains("is not a time zone"))
        }
    }

    @Test("staff alerts out of hours wait for the opening and go as one summary when it is set to hold them")
    func alertsHeldUntilOpening() async throws {
        let night = TestClock(Date())
        let nightTarget = Self.moment(hour: 20, weekday: 3, in: "America/Los_Angeles", atLeast: 15 * 3600)
        try await withRingCentral(clock: AppClock { night.now }, {
            SpeedToLeadTests.configure(&$0, alerts: true)
            $0.speedToLead.holdAlertsWhenClosed = true
        }) { app, sandbox in
            // Connected on the real clock; now to the moment the test is about.
            night.advance(nightTarget.timeIntervalSince(night.now))
            for name in ["Eve", "Fay"] { try await app.submitEnquiry(firstName: name, lastName: "Late", phone: nil) }
            try await app.runDueJobs()
            #expect(Self.texts(sandbox, to: SpeedToLeadTests.staff).isEmpty, "closed at 20:00")
            let held = try await SpeedToLeadTests.automatic(app, .alert)
            #expect(held.count == 2 && held.allSatisfy { $0.status == .batched && $0.reason?.contains("Held while closed") == true })
            let job = try #require(try await QueuedJob.query(on: app.db).filter(\.$kind == SendAutomaticText.name).first())
            #expect(abs(job.availableAt.timeIntervalSince(night.now.addingTimeInterval(13 * 3600))) < 1, "9:00 the next morning")
            night.advance(13 * 3600)
            try await app.runDueJobs()
            let alerts = Self.texts(sandbox, to: SpeedToLeadTests.staff)
            #expect(alerts.count == 1)
            #expect(alerts.first?.text.hasPrefix("2 new enquiries while you were closed: Eve Late (Business Strategy); Fay Late (Business Strategy)") == true, "\(alerts.first?.text ?? "")")
        }
    }

    @Test("business hours: ranges per day, the next opening in words, and BUSINESS_HOURS read or refused")
    func businessHoursRules() throws {
        let zone = TimeZone(identifier: "America/New_York")!
        let hours = BusinessHours(weekly: BusinessHours.parseWeek("mon-fri 09:00-17:00; sat 10:00-14:00")!, timeZone: zone)
        let friday = ISO8601DateFormatter().date(from: "2026-06-12T22:30:00Z")! // 18:30 Friday in New York
        #expect(!hours.isOpen(at: friday))
        #expect(hours.describeOpening(after: friday) == "10:00 tomorrow")
        let saturdayEvening = ISO8601DateFormatter().date(from: "2026-06-13T19:00:00Z")! // 15:00 Saturday
        #expect(hours.describeOpening(after: saturdayEvening) == "9:00 Monday")
        #expect(hours.isOpen(at: ISO8601DateFormatter().date(from: "2026-06-15T13:00:00Z")!)) // 9:00 Monday
        #expect(BusinessHours(weekly: [:], timeZone: zone).isOpen(at: friday), "no hours known: open")
        #expect(BusinessHours.parseDay("9:00-17:00") == [.init(from: 540, to: 1020)])
        #expect(BusinessHours.parseDay("17:00-09:00") == nil)
        #expect(BusinessHours.parseDay("") == [])
        #expect(throws: ConfigurationError.self) {
            _ = try AppConfig.load(from: ["APP_KEY": testAppKey, "BUSINESS_HOURS": "weekdays nine to five"])
        }
        #expect(throws: ConfigurationError.self) {
            _ = try AppConfig.load(from: ["APP_KEY": testAppKey, "SMS_CONSENT_TEXT": "Text me"])
        }
        let config = try AppConfig.load(from: ["APP_KEY": testAppKey, "BUSINESS_HOURS": "mon 08:00-12:00", "BUSINESS_TIME_ZONE": "Europe/Paris"])
        #expect(config.speedToLead.weeklyHours == ["monday": [.init(from: 480, to: 720)]])
        #expect(config.speedToLead.ownHours.timeZone.identifier == "Europe/Paris")
    }
}
