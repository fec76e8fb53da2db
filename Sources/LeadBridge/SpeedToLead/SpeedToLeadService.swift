import Fluent
import Foundation
import SQLKit

/// Speed to lead, built once: decides which automatic texts a new enquiry or a missed call
/// deserves, inside the transaction that records what happened, and queues one durable job
/// for each. Nothing is sent from a request.
struct SpeedToLeadService: Sendable {
    let context: IntegrationContext

    func settings(on db: any Database) -> SpeedToLeadSettingsStore {
        SpeedToLeadSettingsStore(database: db, environment: context.config.speedToLead)
    }

    var doNotText: DoNotText { DoNotText(secrets: context.secrets) }


    /// The alerts and instant replies new enquiries deserve, in their transaction. Returns
    /// whether jobs were queued.
    func planForNewEnquiries(_ ids: [Int], on db: any Database) async throws -> Bool {
        guard !ids.isEmpty else { return false }
        let settings = try await settings(on: db).load()
        guard settings.alertsOn || settings.autoReplyOn, try await RingCentralTokenRecord.isConnected(on: db) else { return false }
        let enquiries = try await Enquiry.query(on: db).filter(\.$id ~~ ids).all()
        // A form can keep its leads out of speed to lead (Admin > Forms: a newsletter signup, say).
        let quietForms = Set(try await WebForm.query(on: db).filter(\.$speedToLead == false).all().compactMap(\.id))
        var rows: [(AutomaticText.Kind, String, Int?, String)] = []
        for enquiry in enquiries {
            guard let id = enquiry.id else { continue }
            if let form = enquiry.formID, quietForms.contains(form) { continue }
            if settings.alertsOn { rows.append((.alert, "enquiry:\(id)", id, settings.alertNumbers.joined(separator: ","))) }
            // Only a lead who agreed to texts, and gave a phone, hears from us unasked; one who
            // texted us first may be answered (a conversation they began).
            if settings.autoReplyOn, let phone = enquiry.phone {
                var mayText = enquiry.smsConsent
                if !mayText { mayText = try await Self.textedFirst(phone, on: db) }
                if mayText { rows.append((.autoReply, "enquiry:\(id)", id, phone)) }
            }
        }
        return try await queueTexts(rows, at: context.clock.now(), on: db)
    }

    /// Whether the number texted the business before (any text but a keyword).
    static func textedFirst(_ phone: String, on db: any Database) async throws -> Bool {
        for message in try await SMSMessage.query(on: db).filter(\.$direction == .inbound).filter(\.$fromNumber == phone).limit(20).all()
            where DoNotText.keyword(in: message.text) == nil {
            return true
        }
        return false
    }

    /// A missed inbound call (by webhook or in the call log): the caller's text-back, once per
    /// call. Calls older than the freshness limit are history, not something to answer.
    /// `settings` may be passed by a caller planning many calls at once (a call-log page).
    func planMissedCall(from number: String, callKey: String, at time: Date, settings known: SpeedToLeadSettings? = nil,
                        on db: any Database) async throws -> Bool {
        guard let caller = PhoneNumber.e164(number) else { return false }
        let settings: SpeedToLeadSettings
        if let known { settings = known } else { settings = try await self.settings(on: db).load() }
        guard settings.missedCallOn, context.clock.now().timeIntervalSince(time) < Double(settings.freshnessMinutes) * 60,
              try await RingCentralTokenRecord.isConnected(on: db) else { return false }
        let enquiry = try await EnquiryPhoneIndex.enquiry(for: caller, on: db)
        return try await queueTexts([(.missedCall, "call:" + String(callKey.prefix(280)), enquiry, caller)], at: time, on: db)
    }

    func queueTexts(_ rows: [(AutomaticText.Kind, String, Int?, String)], at time: Date, on db: any Database) async throws -> Bool {
        guard !rows.isEmpty else { return false }
        let sql = try db.sql()
        var insert = sql.insert(into: AutomaticText.schema)
            .columns("kind", "subject_key", "contact_submission_id", "to_numbers", "status", "created_at", "updated_at")
        for (kind, key, enquiry, numbers) in rows {
            insert = insert.values(SQLBind(kind.rawValue), SQLBind(key), SQLBind(enquiry), SQLBind(numbers),
                                   SQLBind(AutomaticText.Status.queued.rawValue), SQLBind(time), SQLBind(time))
        }
        let inserted = try await insert.ignoringConflicts(with: ["kind", "subject_key"]).returning("id").all()
        let ids = try inserted.map { try $0.decode(column: "id", as: Int.self) }
        guard !ids.isEmpty else { return false }
        try await context.jobQueue.enqueueMany(SendAutomaticText.self, ids.map { .init(automaticTextID: $0) }, on: db)
        return true
    }

    /// Why nothing is being sent although something is set up, in a sentence; nil when all is well.
    static func blocker(_ settings: SpeedToLeadSettings, on db: any Database) async throws -> String? {
        guard settings.anyOn else { return nil }
        guard try await RingCentralTokenRecord.isConnected(on: db) else {
            return "Speed to lead is set up, but RingCentral is not connected: no alerts, instant replies or missed-call texts are queued until it is (Integrations > RingCentral)."
        }
        if let reason = try await IntegrationSetting.query(on: db).filter(\.$provider == RingCentralSettingsStore.provider).first()?
            .settings?[RingCentralSettingsStore.Key.reauthorizationReason] {
            return "RingCentral needs signing in again (\(reason)): automatic texts wait, and any older than the freshness limit are dropped when it is back."
        }
        return nil
    }
}
