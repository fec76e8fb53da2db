import Fluent
import Foundation
import NIOPosix
import ProviderSandbox
import RingCentralKit
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

@Suite("RingCentral at work")
struct RingCentralWorkTests {
    static let leadPhone = "+14155550100"
    static let directNumber = "+16505550101"
    static let mainNumber = "+16505550100"

    @Test("Call starts a RingOut from the first direct number with a CallerId number, shows its status, and can be cancelled")
    func clickToCall() async throws {
        // Ringing for a minute: at the sandbox's 2 s steps a loaded machine saw the call answered
        // before the page was read.
        try await withRingCentral(sandboxSettings: { $0.ringOutStepSeconds = 60 }) { app, sandbox in
            let id = try await app.submitEnquiry()
            let browser = try await app.signedInBrowser()
            let page = try await browser.get("/admin/submissions/\(id)")
            #expect(page.text.contains("Send SMS"))
            #expect(page.text.contains(Self.directNumber))

            let call = try await browser.post("/admin/submissions/\(id)/call", form: ["to": Self.leadPhone, "from": ""])
            #expect(call.status == .seeOther)
            let ringOutID = try #require(call.location.flatMap(URLComponents.init(string:))?.query("ringout"))
            let ringOut = try #require(sandbox.ringCentral.ringOuts.first)
            #expect(ringOut.from == Self.directNumber)
            #expect(ringOut.to == Self.leadPhone)
            #expect(ringOut.callerID == Self.directNumber)

            let status = try await browser.get("/admin/submissions/\(id)/ringout/\(ringOutID)", accept: "application/json")
            #expect(status.status == .ok)
            #expect(status.text.contains("\"final\":false"))
            #expect(try await browser.get("/admin/submissions/\(id)?ringout=\(ringOutID)").text.contains("Ringing your phone"))

            let cancel = try await browser.post("/admin/submissions/\(id)/ringout/\(ringOutID)/cancel", form: [:])
            #expect(cancel.location?.contains("Call%20cancelled") == true)
            #expect(sandbox.ringCentral.ringOuts.first?.cancelled == true)

            // A number that is not E.164 is refused here, with a sentence, and nothing reaches RingCentral.
            let bad = try await browser.post("/admin/submissions/\(id)/call", form: ["to": "555-0100", "from": ""])
            #expect(bad.status == .unprocessableEntity, "what was typed is refused with a 4xx")
            #expect(bad.text.contains("international format"))
            #expect(sandbox.ringCentral.ringOuts.count == 1)

            // The admin's own office phone wins over the extension's numbers.
            let saved = try await browser.post("/admin/integrations/ringcentral/my-phone", form: ["office_phone": "+1 650 555 0177"])
            #expect(saved.status == .seeOther)
            _ = try await browser.post("/admin/submissions/\(id)/call", form: ["to": Self.leadPhone])
            #expect(sandbox.ringCentral.ringOuts.last?.from == "+16505550177")
        }
    }

    @Test("Send SMS stores the message, follows its status to Delivered, and refuses a number without SmsSender in words")
    func sendSMS() async throws {
        try await withRingCentral(sandboxSettings: { $0.smsStepSeconds = 0.05 }) { app, sandbox in
            let id = try await app.submitEnquiry()
            let browser = try await app.signedInBrowser()
            let sent = try await browser.post("/admin/submissions/\(id)/sms", form: ["to": Self.leadPhone, "from": "", "text": "Hello from LeadBridge"])
            #expect(sent.location?.contains("Text%20sent") == true)
            let message = try #require(try await SMSMessage.query(on: app.db).first())
            #expect(message.direction == .outbound)
            #expect(message.fromNumber == Self.directNumber)
            #expect(message.$enquiry.id == id)
            #expect(message.ringCentralID != nil)
            #expect(sandbox.ringCentral.messages.count == 1)

            try await Task.sleep(nanoseconds: 300_000_000)
            try await app.makeAllJobsDue()
            try await app.runDueJobs()
            #expect(try await SMSMessage.find(message.id, on: app.db)?.status == "Delivered")

            let refused = try await browser.post("/admin/submissions/\(id)/sms", form: ["to": Self.leadPhone, "from": Self.mainNumber, "text": "Hi"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("can&#39;t send SMS") || refused.text.contains("can't send SMS"))
            let tooLong = try await browser.post("/admin/submissions/\(id)/sms", form: ["to": Self.leadPhone, "text": String(repeating: "a", count: 1001)])
            #expect(tooLong.status == .unprocessableEntity)
            #expect(tooLong.text.contains("at most 1000"))
            #expect(tooLong.text.contains(String(repeating: "a", count: 1001)), "the text typed is kept")
            #expect(sandbox.ringCentral.messages.count == 1)
            #expect(try await SMSMessage.query(on: app.db).count() == 1)

            let timeline = try await browser.get("/admin/submissions/\(id)").text
            #expect(timeline.contains("Text to \(Self.leadPhone)"))
            #expect(try await browser.get("/admin/messages?direction=outbound").text.contains("Hello from LeadBridge"))
        }
    }

    @Test("SMS length as RingCentral counts it, in UTF-16 units: 1,001 units in 501 characters is refused here, in words; exactly 1,000 is sent")
    func smsLengthInUTF16Units() async throws {
        try await withRingCentral { app, sandbox in
            let id = try await app.submitEnquiry()
            let browser = try await app.signedInBrowser()
            sandbox.ringCentral.resetStats()
            let smsEndpoint = "POST /restapi/v1.0/account/~/extension/~/sms"

            // Each of these emoji is one character but two UTF-16 units.
            let overLimit = String(repeating: "😀", count: 500) + "!"
            #expect(overLimit.count == 501 && overLimit.utf16.count == 1001)
            let refused = try await browser.post("/admin/submissions/\(id)/sms", form: ["to": Self.leadPhone, "text": overLimit])
            #expect(refused.status == .unprocessableEntity)
            let reason = refused.text
            #expect(reason.contains("1001"), "\(reason)")
            #expect(reason.contains("at most 1000"), "\(reason)")
            #expect(reason.contains("emoji"), "the reason says why a shorter-looking text is too long: \(reason)")
            #expect(sandbox.ringCentral.stats.callsByEndpoint[smsEndpoint] == nil, "nothing reached RingCentral")
            #expect(try await SMSMessage.query(on: app.db).count() == 0)

            let atLimit = String(repeating: "😀", count: 500)
            #expect(atLimit.utf16.count == 1000)
            let sent = try await browser.post("/admin/submissions/\(id)/sms", form: ["to": Self.leadPhone, "text": atLimit])
            #expect(sent.location?.contains("Text%20sent") == true, "\(sent.location ?? "")")
            #expect(sandbox.ringCentral.stats.callsByEndpoint[smsEndpoint] == 1)
            #expect(sandbox.ringCentral.messages.last?.text == atLimit)
        }
    }

    @Test("call-log sync pages at 1,000, is idempotent across overlapping runs, links calls by phone, and paces itself")
    func callLogSync() async throws {
        try await withRingCentral(sandboxSettings: { $0.limits["Heavy"] = 2; $0.rateLimitWindow = 1 }) { app, sandbox in
            let id = try await app.submitEnquiry()
            sandbox.ringCentral.generateCallLog(count: 2500, endingAt: Date().addingTimeInterval(-120), spacing: 30,
                                                phoneNumbers: [Self.leadPhone, "+14155550111"])
            sandbox.ringCentral.resetStats()
            let sync = app.services.ringCentral.callLog
            let first = try await sync.sync(dateFrom: Date().addingTimeInterval(-2 * 86_400))
            #expect(first.pages == 3)
            #expect(first.records == 2500)
            #expect(try await CallLog.query(on: app.db).count() == 2500)
            #expect(first.linked == 1250)
            #expect(try await CallLog.query(on: app.db).filter(\.$enquiry.$id == id).count() == 1250)

            // Overlapping window: nothing new, nothing doubled.
            let again = try await sync.sync(dateFrom: Date().addingTimeInterval(-2 * 86_400))
            #expect(again.records == 2500)
            #expect(try await CallLog.query(on: app.db).count() == 2500)

            // Incremental with nothing new: one request.
            sandbox.ringCentral.resetStats()
            _ = try await sync.sync()
            #expect(sandbox.ringCentral.stats.callsByEndpoint.filter { $0.key.contains("call-log") }.values.reduce(0, +) == 1)

            sandbox.ringCentral.addCallLogRecord(direction: "Inbound", from: "+14155550122", to: Self.directNumber,
                                                 startTime: Date().addingTimeInterval(-10), duration: 42, result: "Accepted")
            let incremental = try await sync.sync()
            #expect(incremental.records >= 1)
            #expect(try await CallLog.query(on: app.db).count() == 2501)
            #expect(try await CallLog.query(on: app.db).filter(\.$enquiry.$id == nil).count() == 1251)

            // A 40-minute call that started before the last synced one appears in the log only
            // when it ends: the next incremental run still looks far enough back to fetch it.
            sandbox.ringCentral.addCallLogRecord(direction: "Outbound", from: Self.directNumber, to: "+14155550133",
                                                 startTime: Date().addingTimeInterval(-40 * 60), duration: 2400, result: "Call connected")
            _ = try await sync.sync()
            #expect(try await CallLog.query(on: app.db).count() == 2502)

            // Five pages' worth of Heavy calls at 2 a second: paced, never refused.
            #expect(sandbox.ringCentral.stats.rateLimited == 0)
            let browser = try await app.signedInBrowser()
            #expect(try await browser.get("/admin/call-logs?matched=no&direction=inbound").text.contains("+14155550122"))
            #expect(try await browser.get("/admin/submissions/\(id)").text.contains("call from \(Self.leadPhone)") == true)

            // A From or To that is not a day is a 400 that says what to type, not a filter
            // quietly left out (the whole log listed as if it were the day asked for).
            let today = EnquiryListRange.dayText(Date())
            for path in ["/admin/call-logs?since=yesterday", "/admin/messages?until=2026-13-45", "/admin/call-logs?until=3/11/2026"] {
                let bad = try await browser.get(path)
                #expect(bad.status == .badRequest, "\(path)")
                #expect(bad.text.contains("must be a date like 2026-11-03."), "\(path)")
            }
            #expect(try await browser.get("/admin/call-logs?since=\(today)&until=\(today)").status == .ok)
            #expect(try await browser.get("/admin/messages?since=\(today)").status == .ok)
        }
    }

    @Test("webhook: handshake echoed; missing or forged token refused with nothing stored")
    func webhookChecks() async throws {
        try await withRingCentral({ $0.ringCentral.webhookSecret = "the-webhook-secret" }) { app, _ in
            let handshake = try await app.testing().sendRequest(.POST, "/api/webhooks/ringcentral", headers: ["Validation-Token": "abc123"])
            #expect(handshake.status == .ok)
            #expect(handshake.headers.first(name: "Validation-Token") == "abc123")
            #expect(handshake.headers.contentType == .json, "typed as RingCentral's samples answer it")
            // RingCentral refuses a handshake answer over 1,024 bytes, headers and body (SUB-525).
            let headerBytes = handshake.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
            #expect(handshake.body.readableBytes + headerBytes < 1024, "\(headerBytes) bytes of headers")

            let body = ByteBuffer(string: #"{"timestamp":"\#(webhookTimestamp())","uuid":"u-1","event":"/restapi/v1.0/account/1/extension/2/telephony/sessions","body":{}}"#)
            let missing = try await app.testing().sendRequest(.POST, "/api/webhooks/ringcentral", headers: ["Content-Type": "application/json"], body: body)
            #expect(missing.status == .unauthorized)
            let forged = try await app.testing().sendRequest(.POST, "/api/webhooks/ringcentral",
                                                              headers: ["Content-Type": "application/json", "Verification-Token": "guess"], body: body)
            #expect(forged.status == .forbidden)
            #expect(forged.text.contains("does not match"))
            let malformed = try await app.testing().sendRequest(.POST, "/api/webhooks/ringcentral",
                headers: ["Content-Type": "application/json", "Verification-Token": "the-webhook-secret"], body: ByteBuffer(string: "{nope"))
            #expect(malformed.status == .badRequest)
            #expect(try await app.db.sql().select().column(SQLLiteral.all).from("webhook_events").all().count == 0)
            #expect(try await QueuedJob.query(on: app.db).count() == 0)
        }
    }

    @Test("webhook: a notification that also carries a Validation-Token header is processed (and the header echoed); only an empty body is the bare handshake")
    func webhookNotificationWithValidationToken() async throws {
        try await withRingCentral({ $0.ringCentral.webhookSecret = "the-webhook-secret" }) { app, _ in
            func events() async throws -> Int {
                try await app.db.sql().select().column(SQLLiteral.all).from("webhook_events").all().count
            }
            let sms = ByteBuffer(string: #"{"timestamp":"\#(webhookTimestamp())","uuid":"sms-7","event":"/restapi/v1.0/account/1/extension/2/message-store/instant?type=SMS","body":{"id":"7007","from":{"phoneNumber":"+14155550100"},"to":[{"phoneNumber":"\#(Self.directNumber)"}],"subject":"Is Tuesday free?"}}"#)
            // RingCentral's guide shows a Validation-Token header on notifications as well.
            let delivered = try await app.testing().sendRequest(.POST, "/api/webhooks/ringcentral", headers: [
                "Content-Type": "application/json", "Verification-Token": "the-webhook-secret", "Validation-Token": "v-123"], body: sms)
            #expect(delivered.status == .ok)
            #expect(delivered.headers.first(name: "Validation-Token") == "v-123")
            #expect(try await events() == 1)
            #expect(try await SMSMessage.query(on: app.db).filter(\.$ringCentralID == "7007").first()?.text == "Is Tuesday free?")

            // A body with a Validation-Token is still a notification: it must prove where it came from.
            let forged = try await app.testing().sendRequest(.POST, "/api/webhooks/ringcentral", headers: [
                "Content-Type": "application/json", "Verification-Token": "guess", "Validation-Token": "v-123"],
                body: ByteBuffer(string: #"{"timestamp":"\#(webhookTimestamp())","uuid":"sms-8","event":"/restapi/v1.0/account/1/extension/2/telephony/sessions","body":{}}"#))
            #expect(forged.status == .forbidden)

            // The bare handshake: an empty body, the header echoed, nothing stored.
            let handshake = try await app.testing().sendRequest(.POST, "/api/webhooks/ringcentral", headers: [
                "Content-Type": "application/json", "Validation-Token": "hs-1"])
            #expect(handshake.status == .ok)
            #expect(handshake.headers.first(name: "Validation-Token") == "hs-1")
            #expect(try await events() == 1)
            #expect(try await QueuedJob.query(on: app.db).count() == 0)
        }
    }

    @Test("a telephony event while a sync runs queues one follow-up after it; otherwise events join the waiting sync")
    func telephonyEventDuringASync() async throws {
        try await withRingCentral({ $0.ringCentral.webhookSecret = "the-webhook-secret" }) { app, sandbox in
            func keys() async throws -> [String] {
                try await QueuedJob.query(on: app.db).sort(\.$id).all().compactMap(\.uniqueKey)
            }
            func post(_ uuid: String) async throws {
                let body = ByteBuffer(string: #"{"timestamp":"\#(webhookTimestamp())","uuid":"\#(uuid)","event":"/restapi/v1.0/account/1/extension/2/telephony/sessions","body":{}}"#)
                let answer = try await app.testing().sendRequest(.POST, "/api/webhooks/ringcentral", headers: [
                    "Content-Type": "application/json", "Verification-Token": "the-webhook-secret"], body: body)
                #expect(answer.status == .ok)
            }
            try await post("u-1")
            try await post("u-2")
            #expect(try await keys() == [SyncRingCentralCallLogs.uniqueKey], "events join the sync that waits")

            // The waiting sync starts: a worker holds it.
            let job = try #require(try await QueuedJob.query(on: app.db).first())
            job.reservedBy = "worker-test"
            job.reservedUntil = Date().addingTimeInterval(300)
            try await job.save(on: app.db)
            try await post("u-3")
            try await post("u-4")
            #expect(try await keys() == [SyncRingCentralCallLogs.uniqueKey, SyncRingCentralCallLogs.followUpKey],
                    "a call reported mid-sync gets exactly one follow-up")
            let followUp = try #require(try await QueuedJob.query(on: app.db).filter(\.$uniqueKey == SyncRingCentralCallLogs.followUpKey).first())
            #expect(followUp.availableAt > Date().addingTimeInterval(50))

            // Due while the first still runs, the follow-up waits for it, its attempt given back.
            try await app.makeAllJobsDue()
            try await app.runDueJobs()
            let waited = try #require(try await QueuedJob.find(followUp.id, on: app.db))
            #expect(waited.attempts == 0)
            #expect(waited.availableAt > Date().addingTimeInterval(20))
            #expect(sandbox.ringCentral.stats.callsByEndpoint["GET /restapi/v1.0/account/~/extension/~/call-log"] == nil)
        }
    }

    @Test("a lead who called and texted before filling in the form finds those on the new enquiry's page")
    func activityBeforeTheEnquiryIsClaimedByIt() async throws {
        try await withRingCentral({ $0.ringCentral.webhookSecret = "the-webhook-secret" }) { app, sandbox in
            let now = Date()
            sandbox.ringCentral.addCallLogRecord(direction: "Inbound", from: Self.leadPhone, to: Self.directNumber,
                                                 startTime: now.addingTimeInterval(-3 * 86_400), duration: 95, result: "Accepted")
            sandbox.ringCentral.addCallLogRecord(direction: "Outbound", from: Self.directNumber, to: Self.leadPhone,
                                                 startTime: now.addingTimeInterval(-2 * 86_400), duration: 30, result: "Call connected")
            sandbox.ringCentral.addCallLogRecord(direction: "Inbound", from: "+14155550111", to: Self.directNumber,
                                                 startTime: now.addingTimeInterval(-86_400))
            _ = try await app.services.ringCentral.callLog.sync(dateFrom: now.addingTimeInterval(-7 * 86_400))
            let sms = ByteBuffer(string: #"{"timestamp":"\#(webhookTimestamp())","uuid":"sms-1","event":"/restapi/v1.0/account/1/extension/2/message-store/instant?type=SMS","body":{"id":"7001","from":{"phoneNumber":"+1 415-555-0100"},"to":[{"phoneNumber":"\#(Self.directNumber)"}],"subject":"Are you open on Saturday?"}}"#)
            let delivered = try await app.testing().sendRequest(.POST, "/api/webhooks/ringcentral", headers: [
                "Content-Type": "application/json", "Verification-Token": "the-webhook-secret"], body: sms)
            #expect(delivered.status == .ok)
            #expect(try await CallLog.query(on: app.db).count() == 3)
            #expect(try await CallLog.query(on: app.db).filter(\.$enquiry.$id != nil).count() == 0)
            #expect(try await SMSMessage.query(on: app.db).filter(\.$enquiry.$id != nil).count() == 0)

            let id = try await app.submitEnquiry()
            #expect(try await CallLog.query(on: app.db).filter(\.$enquiry.$id == id).count() == 2)
            #expect(try await CallLog.query(on: app.db).filter(\.$otherPartyPhone == "+14155550111").first()?.$enquiry.id == nil)
            #expect(try await SMSMessage.query(on: app.db).filter(\.$enquiry.$id == id).count() == 1)
            let timeline = try await app.signedInBrowser().get("/admin/submissions/\(id)").text
            #expect(timeline.contains("Inbound call from \(Self.leadPhone)"))
            #expect(timeline.contains("Outbound call to \(Self.leadPhone)"))
            #expect(timeline.contains("Are you open on Saturday?"))

            // A second enquiry from the same phone takes nothing from the first, not even when the
            // next sync reads those calls again.
            let second = try await app.submitEnquiry(firstName: "Ada again")
            _ = try await app.services.ringCentral.callLog.sync(dateFrom: now.addingTimeInterval(-7 * 86_400))
            #expect(try await CallLog.query(on: app.db).filter(\.$enquiry.$id == id).count() == 2)
            #expect(try await CallLog.query(on: app.db).filter(\.$enquiry.$id == second).count() == 0)
        }
    }

    @Test("subscription over real HTTP: created after the handshake, inbound SMS stored once and linked, calls trigger a sync, renewal and blacklist")
    func subscriptionAndNotifications() async throws {
        try await withServedRingCentral { app, sandbox, port in
            let id = try await app.submitEnquiry()
            let browser = try await app.signedInBrowser()
            let created = try await browser.post("/admin/integrations/ringcentral/subscription", form: [:])
            #expect(created.location?.contains("created") == true, "\(created.location ?? "")")
            let subscription = try #require(sandbox.ringCentral.subscriptions.first)
            #expect(subscription.address == "http://127.0.0.1:\(port)/api/webhooks/ringcentral")
            #expect(subscription.eventFilters.count == 2)

            _ = try await sandbox.ringCentral.simulateInboundSMS(from: Self.leadPhone, to: Self.directNumber, text: "Call me back", deliveries: 2)
            #expect(try await app.db.sql().select().column(SQLLiteral.all).from("webhook_events").all().count == 1)
            let inbound = try #require(try await SMSMessage.query(on: app.db).filter(\.$direction == .inbound).first())
            #expect(inbound.text == "Call me back")
            #expect(inbound.$enquiry.id == id)
            #expect(try await SMSMessage.query(on: app.db).count() == 1)

            _ = try await sandbox.ringCentral.simulateInboundCall(from: Self.leadPhone, to: Self.directNumber)
            let job = try #require(try await QueuedJob.query(on: app.db).filter(\.$kind == SyncRingCentralCallLogs.name).first())
            #expect(job.uniqueKey == SyncRingCentralCallLogs.uniqueKey)
            _ = try await app.services.ringCentral.callLog.sync(dateFrom: Date().addingTimeInterval(-3600))
            #expect(try await CallLog.query(on: app.db).filter(\.$enquiry.$id == id).count() == 1)
            let timeline = try await browser.get("/admin/submissions/\(id)").text
            #expect(timeline.contains("Text from \(Self.leadPhone)"))
            #expect(timeline.contains("Inbound call from \(Self.leadPhone)"))

            // Renewed when it expires within two days.
            let subscriptions = app.services.ringCentral.subscriptions
            let before = try #require(try await subscriptions.current()?.expiresAt)
            #expect(try await subscriptions.maintain(now: Date()) == "active")
            #expect(try await subscriptions.maintain(now: before.addingTimeInterval(-86_400)) == "renewed")
            #expect(try await subscriptions.current()?.id == subscription.id)

            // Blacklisted by RingCentral: recreated.
            sandbox.ringCentral.blacklistSubscription(id: subscription.id)
            #expect(try await subscriptions.maintain(now: Date()).hasPrefix("recreated"))
            let replacement = try #require(try await subscriptions.current())
            #expect(replacement.id != subscription.id)
            #expect(replacement.status == "Active")

            let deleted = try await browser.post("/admin/integrations/ringcentral/subscription/delete", form: [:])
            #expect(deleted.status == .seeOther)
            #expect(try await subscriptions.current() == nil)
        }
    }

    @Test("renewal is paced in the Light group, as the spec's renewSubscription says: with the Medium budget spent, it renews at once")
    func renewalIsPacedAsLight() async throws {
        try await withServedRingCentral(sandboxSettings: { $0.limits["Medium"] = 1; $0.rateLimitWindow = 60 }) { app, sandbox, _ in
            let subscriptions = app.services.ringCentral.subscriptions
            // Creating spends the Medium budget (one a minute here); RingCentral's answer says so.
            let created = try await subscriptions.create()
            sandbox.ringCentral.resetStats()
            // A person pressing Renew now waits at most 10 s: a Medium renewal would be refused here.
            let renewed = try await subscriptions.renew()
            #expect(renewed?.id == created.id)
            let renewals = sandbox.ringCentral.requestLog.filter { $0.endpoint == "POST /restapi/v1.0/subscription/{id}/renew" }
            #expect(renewals.count == 1)
            #expect(renewals.first?.group == "Light")
            #expect(renewals.first?.status == 200)
            #expect(sandbox.ringCentral.stats.rateLimited == 0)
        }
    }

    @Test("a subscription to an address that fails the handshake is refused, in words")
    func subscriptionHandshakeFails() async throws {
        let port = try freeLoopbackPort()
        try await withRingCentral({ $0.appURL = "http://127.0.0.1:\(port)" }) { app, sandbox in
            let browser = try await app.signedInBrowser()
            let refused = try await browser.post("/admin/integrations/ringcentral/subscription", form: [:])
            #expect(refused.location?.removingPercentEncoding?.contains("RingCentral refused") == true)
            #expect(sandbox.ringCentral.subscriptions.isEmpty)
            #expect(try await app.services.ringCentral.subscriptions.current() == nil)
        }
    }

    @Test("an app without CallControl: RingCentral disables the telephony filter and says so in disabledFilters; the page shows it, what takes over, and what to enable, not a bare Active")
    func aDisabledFilterIsShownWithWhatTakesOver() async throws {
        try await withServedRingCentral(sandboxSettings: { $0.appPermissions.removeAll { $0 == "CallControl" } }) { app, sandbox, _ in
            let browser = try await app.signedInBrowser()
            #expect(try await browser.post("/admin/integrations/ringcentral/subscription", form: [:]).status == .seeOther)
            let status = try #require(try await app.services.ringCentral.subscriptions.current())
            #expect(status.status == "Active")
            #expect(status.disabledFilters.map(\.reason) == ["Permission [CallControl] is required"])
            let page = try await browser.get("/admin/integrations/ringcentral").text
            #expect(page.contains("with 1 filter(s) disabled"))
            #expect(page.contains("RingCentral disabled the telephony events (Permission [CallControl] is required)"))
            #expect(page.contains("missed calls are learnt from the call-log sync instead"))
            // Connect already said so: each feature with its permission, CallControl missing.
            #expect(page.contains("What the app&#39;s permissions allow (1 missing)") || page.contains("What the app's permissions allow (1 missing)"))
            #expect(page.contains("Give the app the CallControl permission in RingCentral&#39;s developer console") || page.contains("Give the app the CallControl permission in RingCentral's developer console"))
            #expect(page.components(separatedBy: "aria-label=\"granted\"").count - 1 == RingCentralPermissions.needed.count - 1)
            // The disabled filter delivers nothing; texts still come.
            _ = try await sandbox.ringCentral.simulateInboundCall(from: Self.leadPhone, to: Self.directNumber)
            #expect(try await QueuedJob.query(on: app.db).filter(\.$kind == SyncRingCentralCallLogs.name).count() == 0)
            _ = try await sandbox.ringCentral.simulateInboundSMS(from: Self.leadPhone, to: Self.directNumber, text: "Hello?")
            #expect(try await SMSMessage.query(on: app.db).filter(\.$direction == .inbound).count() == 1)
        }
    }

    @Test("a failed text says why, on the enquiry and the Messages page, from RingCentral's deliveryErrorCode; SMS-RC-413 (opted out at RingCentral) puts the number on the do-not-text list")
    func failedTextsSayWhy() async throws {
        try await withRingCentral { app, sandbox in
            let lead = try await app.submitEnquiry(firstName: "Ada", phone: Self.leadPhone)
            // The lead opted out at RingCentral only (LeadBridge never heard the STOP).
            _ = try await sandbox.ringCentral.simulateInboundSMS(from: Self.leadPhone, to: Self.directNumber, text: "STOP")
            let landline = try await app.submitEnquiry(firstName: "Bo", email: "bo@example.com", phone: "+14155559999")
            let browser = try await app.signedInBrowser()
            #expect(try await browser.post("/admin/submissions/\(lead)/sms", form: ["to": Self.leadPhone, "text": "Hello"]).status == .seeOther)
            #expect(try await browser.post("/admin/submissions/\(landline)/sms", form: ["to": "+14155559999", "text": "Hello"]).status == .seeOther)
            #expect(try await app.services.speedToLead.doNotText.isOptedOut(Self.leadPhone, on: app.db) == nil)
            // The sandbox moves a text a step a second (Queued, Sent, then its end).
            try await Task.sleep(for: .milliseconds(2200))
            try await app.makeAllJobsDue()
            try await app.runDueJobs()

            let optedOut = try #require(try await SMSMessage.query(on: app.db).filter(\.$toNumber == Self.leadPhone).first())
            #expect(optedOut.status == "SendingFailed")
            #expect(optedOut.error?.contains("SMS-RC-413") == true && optedOut.error?.contains("opted out") == true)
            #expect(try await app.services.speedToLead.doNotText.isOptedOut(Self.leadPhone, on: app.db) != nil)
            let unreachable = try #require(try await SMSMessage.query(on: app.db).filter(\.$toNumber == "+14155559999").first())
            #expect(unreachable.status == "DeliveryFailed")
            #expect(unreachable.error?.contains("cannot receive texts") == true)
            #expect(try await app.services.speedToLead.doNotText.isOptedOut("+14155559999", on: app.db) == nil)
            #expect(try await browser.get("/admin/submissions/\(landline)").text.contains("often a landline"))
            #expect(try await browser.get("/admin/messages").text.contains("opted out of texts from yours"))
        }
    }
}
