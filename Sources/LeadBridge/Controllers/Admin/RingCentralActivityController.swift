import Fluent
import RingCentralKit
import Vapor

/// Admin > Call logs and Admin > Messages, with filters; the call-log "Sync now" button;
/// the webhook subscription; the admin's own office phone.
struct RingCentralActivityController {
    static let pageSize = 50

    struct CallRow: Encodable {
        let when: String, direction: String, from: String, to: String, result: String, duration: String
        let enquiryID: Int?, recording: Bool
        /// For a missed inbound call: what became of its text-back ("texted back", "text-back dropped").
        let textBack: String
    }

    struct MessageRow: Encodable {
        let when: String, direction: String, from: String, to: String, status: String, text: String, error: String, enquiryID: Int?
    }

    struct Filters: Encodable { let direction: String, result: String, status: String, matched: String, since: String, until: String }

    struct ListContext<Row: Encodable>: Encodable {
        let title: String, csrf: String, admin: String
        let rows: [Row], filters: Filters, summary: String
        let previousPage: String?, nextPage: String?, notice: String?
        let lastSync: String
    }

    @Sendable func callLogs(req: Request) async throws -> View {
        let filters = Self.filters(req)
        let page = req.pageNumber
        var query = CallLog.query(on: req.db)
        if ["inbound", "outbound"].contains(filters.direction) { query = query.filter(\.$direction == filters.direction) }
        if !filters.result.isEmpty { query = query.filter(\.$result == filters.result) }
        if filters.matched == "yes" { query = query.filter(\.$enquiry.$id != nil) }
        if filters.matched == "no" { query = query.filter(\.$enquiry.$id == nil) }
        if let since = try AdminDay.parse(filters.since, label: "From") { query = query.filter(\.$startTime >= since) }
        if let until = try AdminDay.parse(filters.until, label: "To") { query = query.filter(\.$startTime < until.addingTimeInterval(86_400)) }
        // Counted in the list's order, so the count walks the index and stops at the cap.
        query = query.sort(\.$startTime, .descending).sort(\.$id, .descending)
        let total = try await ListTotal.counting(query)
        let calls = try await query
            .range(((page - 1) * Self.pageSize)..<(page * Self.pageSize + 1)).all()
        let shown = Array(calls.prefix(Self.pageSize))
        let textBacks = try await Self.textBacks(for: shown, on: req.db)
        let rows = shown.map { call -> CallRow in
            let textBack = call.id.flatMap { textBacks[$0] } ?? ""
            return
            CallRow(when: AdminDate.format(call.startTime), direction: call.direction ?? "", from: Self.party(call.fromData),
                    to: Self.party(call.toData), result: call.result ?? "",
                    duration: call.duration.map { "\($0 / 60)m \($0 % 60)s" } ?? "", enquiryID: call.$enquiry.id,
                    recording: call.recordingURL != nil, textBack: textBack)
        }
        let lastSync = try await req.services.ringCentral.settings.value(RingCentralSettingsStore.Key.callLogLastRun)
            .flatMap(Double.init).map { AdminDate.format(Date(timeIntervalSince1970: $0)) } ?? "never"
        return try await req.view.render("admin/call-logs", ListContext(
            title: "Call logs", csrf: req.csrfToken, admin: try req.auth.require(User.self).email, rows: rows, filters: filters,
            summary: total.describe("call", "calls"),
            previousPage: page > 1 ? Self.pageLink(req, AdminURL.callLogs.path, page - 1) : nil,
            nextPage: calls.count > Self.pageSize ? Self.pageLink(req, AdminURL.callLogs.path, page + 1) : nil,
            notice: req.notice, lastSync: lastSync))
    }

    @Sendable func messages(req: Request) async throws -> View {
        let filters = Self.filters(req)
        let page = req.pageNumber
        var query = SMSMessage.query(on: req.db)
        if let direction = SMSMessage.Direction(rawValue: filters.direction) { query = query.filter(\.$direction == direction) }
        if !filters.status.isEmpty { query = query.filter(\.$status == filters.status) }
        if filters.matched == "yes" { query = query.filter(\.$enquiry.$id != nil) }
        if filters.matched == "no" { query = query.filter(\.$enquiry.$id == nil) }
        if let since = try AdminDay.parse(filters.since, label: "From") { query = query.filter(\.$createdAt >= since) }
        if let until = try AdminDay.parse(filters.until, label: "To") { query = query.filter(\.$createdAt < until.addingTimeInterval(86_400)) }
        query = query.sort(\.$id, .descending)
        let total = try await ListTotal.counting(query)
        let messages = try await query.range(((page - 1) * Self.pageSize)..<(page * Self.pageSize + 1)).all()
        let rows = messages.prefix(Self.pageSize).map {
            MessageRow(when: AdminDate.format($0.sentAt ?? $0.createdAt), direction: $0.direction.rawValue, from: $0.fromNumber,
                       to: $0.toNumber, status: $0.status, text: $0.text, error: $0.error ?? "", enquiryID: $0.$enquiry.id)
        }
        return try await req.view.render("admin/messages", ListContext(
            title: "Messages", csrf: req.csrfToken, admin: try req.auth.require(User.self).email, rows: rows, filters: filters,
            summary: total.describe("message", "messages"),
            previousPage: page > 1 ? Self.pageLink(req, AdminURL.messages.path, page - 1) : nil,
            nextPage: messages.count > Self.pageSize ? Self.pageLink(req, AdminURL.messages.path, page + 1) : nil,
            notice: req.notice, lastSync: ""))
    }

    /// The missed-call texts of a page's missed inbound calls, by call id: the text to the
    /// caller's number decided from a minute before the call to an hour after it.
    static func textBacks(for calls: [CallLog], on db: any Database) async throws -> [Int: String] {
        let missed = calls.filter { $0.direction == "inbound" && ["Missed", "Voicemail"].contains($0.result ?? "") && $0.otherPartyPhone != nil }
        guard !missed.isEmpty else { return [:] }
        let texts = try await AutomaticText.query(on: db).filter(\.$kind == .missedCall)
            .filter(\.$toNumbers ~~ Set(missed.compactMap(\.otherPartyPhone))).all()
        var found: [Int: String] = [:]
        for call in missed {
            guard let id = call.id, let start = call.startTime else { continue }
            let text = texts.first { $0.toNumbers == call.otherPartyPhone && $0.createdAt >= start.addingTimeInterval(-60)
                && $0.createdAt <= start.addingTimeInterval(3600) }
            switch text?.status {
            case .sent?: found[id] = "texted back"
            case .queued?: found[id] = "text-back queued"
            case .dropped?, .failed?: found[id] = "text-back not sent"
            default: break
            }
        }
        return found
    }

    /// "Sync now": queues an incremental call-log sync (joining one already queued).
    @Sendable func syncCallLogs(req: Request) async throws -> Response {
        guard try await RingCentralTokenRecord.isConnected(on: req.db) else {
            throw Abort(.conflict, reason: "RingCentral is not connected: connect it under Integrations > RingCentral first.")
        }
        try await SyncRingCentralCallLogs.request(queue: req.services.jobQueue, on: req.db, delay: 0)
        return req.redirect(to: AdminURL.callLogs.path, notice: "Call-log sync queued; new calls appear here in a moment.")
    }

    @Sendable func createSubscription(req: Request) async throws -> Response {
        try await subscriptionAction(req) { try await $0.createOrRenew(); return "Webhook subscription created." }
    }

    @Sendable func renewSubscription(req: Request) async throws -> Response {
        try await subscriptionAction(req) { try await $0.renew(); return "Webhook subscription renewed." }
    }

    @Sendable func deleteSubscription(req: Request) async throws -> Response {
        try await subscriptionAction(req) { try await $0.delete(); return "Webhook subscription deleted." }
    }

    /// "Your office phone": the phone RingCentral rings first when you click Call.
    @Sendable func saveOfficePhone(req: Request) async throws -> Response {
        struct Form: Content { var office_phone: String? }
        let text = TextSanitizer.singleLine(try req.content.decode(Form.self).office_phone ?? "")
        let user = try req.auth.require(User.self)
        if text.isEmpty {
            user.officePhone = nil
        } else {
            guard let number = PhoneNumber.e164(text) else {
                return req.redirect(to: AdminURL.ringCentral.path, notice: "Enter your office phone in international format, like +16505550123.")
            }
            user.officePhone = number
        }
        try await user.save(on: req.db)
        return req.redirect(to: AdminURL.ringCentral.path, notice: "Your office phone is saved.")
    }

    private func subscriptionAction(_ req: Request, _ action: (RingCentralSubscriptions) async throws -> String) async throws -> Response {
        do {
            let notice = try await action(req.services.ringCentral.subscriptions)
            return req.redirect(to: AdminURL.ringCentral.path, notice: notice)
        } catch let error as RingCentralError {
            return req.redirect(to: AdminURL.ringCentral.path, notice: "RingCentral refused: " + error.description)
        } catch let error as RingCentralServiceError {
            return req.redirect(to: AdminURL.ringCentral.path, notice: error.description)
        }
    }

    private static func filters(_ req: Request) -> Filters {
        func value(_ name: String) -> String { String(TextSanitizer.singleLine((try? req.query.get(String.self, at: name)) ?? "").prefix(50)) }
        return Filters(direction: value("direction"), result: value("result"), status: value("status"), matched: value("matched"),
                       since: value("since"), until: value("until"))
    }

    private static func party(_ data: [String: String]?) -> String {
        [data?["phoneNumber"], data?["name"]].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · ")
    }

    private static func pageLink(_ req: Request, _ path: String, _ page: Int) -> String {
        var components = URLComponents()
        components.path = path
        var items = (URLComponents(string: req.url.string)?.queryItems ?? []).filter { $0.name != "page" }
        items.append(URLQueryItem(name: "page", value: String(page)))
        components.queryItems = items
        return components.string ?? path
    }

}
