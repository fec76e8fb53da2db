import Fluent
import SuiteDashKit
import Vapor

/// Admin > Integrations > SuiteDash: mode, keys, Test Connection, on/off, the call budget.
struct SuiteDashAdminController {
    struct Context: Encodable {
        let title: String, csrf: String, admin: String
        let apiMode: Bool, isEnabled: Bool, apiURL: String
        let maskedPublicID: String, hasSecretKey: Bool
        let tags: String, monthlyCallLimit: String
        let failingReason: String?
        let lastTestedAt: String, lastTestSuccess: Bool, lastTestMessage: String
        let callsThisMonth: Int, budgetPercent: Int, budgetWarning: String?
        let pendingCount: Int, offerSync: Bool
        let fromEnvironment: Bool
        let notice: String?, errors: FieldErrors
    }

    struct Form: Content {
        var mode: String?
        var enabled: String?
        var api_url: String?
        var public_id: String?
        var secret_key: String?
        var tags: String?
        var monthly_call_limit: String?
    }

    @Sendable func show(req: Request) async throws -> View {
        try await render(req, notice: try? req.query.get(String.self, at: "notice"), errors: [:])
    }

    @Sendable func save(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        var errors = FieldErrors()
        guard let mode = SuiteDashEnvironment.Mode(rawValue: form.mode ?? "") else {
            throw Abort(.badRequest, reason: "Choose API mode or import mode.")
        }
        let apiURL = TextSanitizer.singleLine(form.api_url ?? "")
        if !FormText.isWebAddress(apiURL) {
            errors["api_url"] = "Enter the API address, like https://app.suitedash.com/secure-api."
        }
        let limitText = TextSanitizer.singleLine(form.monthly_call_limit ?? "")
        let limit = Int(limitText)
        if !limitText.isEmpty, (limit ?? 0) <= 0 { errors["monthly_call_limit"] = "Enter your plan's monthly API calls as a whole number, or leave it empty." }
        let publicID = FormText.nonEmpty(form.public_id)
        let secret = FormText.nonEmpty(form.secret_key)
        for (field, value) in [("public_id", publicID), ("secret_key", secret)] where (value?.count ?? 0) > 200 {
            errors[field] = "That is longer than any SuiteDash key; copy it again."
        }
        let tags = (form.tags ?? "").split(separator: ",").map { TextSanitizer.singleLine(String($0)) }.filter { !$0.isEmpty }
        guard errors.isEmpty else {
            let response = try await render(req, notice: nil, errors: errors).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
        let suiteDash = req.services.suiteDash
        let before = try await suiteDash.settings.load()
        try await suiteDash.settings.save(.init(mode: mode, isEnabled: form.enabled != nil, apiURL: apiURL, publicID: publicID,
                                           secretKey: secret, tags: tags, monthlyCallLimit: limit))
        var notice = "Saved."
        let after = try await suiteDash.settings.load()
        if after.syncsAutomatically && !before.syncsAutomatically {
            let resumed = try await req.services.jobQueue.resume(waitingFor: SyncEnquiryToSuiteDash.waitKey, on: req.db)
            notice += resumed > 0 ? " \(resumed) held sync job(s) resumed." : ""
        }
        if publicID != nil || secret != nil { notice += " Run Test Connection to check the keys." }
        return redirect(req, notice)
    }

    @Sendable func test(req: Request) async throws -> Response {
        let outcome = try await req.services.suiteDash.testConnection()
        var notice = outcome.message
        if outcome.resumedJobs > 0 { notice += " \(outcome.resumedJobs) held sync job(s) resumed." }
        return redirect(req, notice)
    }

    /// "Sync pending enquiries": the offer shown once API mode is on.
    @Sendable func syncPending(req: Request) async throws -> Response {
        let configuration = try await req.services.suiteDash.settings.load()
        guard configuration.syncsAutomatically else {
            throw Abort(.conflict, reason: "Switch on API mode with working keys before syncing enquiries.")
        }
        let ids = try await Enquiry.query(on: req.db).filter(\.$status == .pending).all(\.$id)
        let suiteDash = req.services.suiteDash
        try await req.db.transaction { try await suiteDash.queueSync(ids, on: $0) }
        return redirect(req, "\(ids.count) pending enquiry(ies) queued for SuiteDash.")
    }

    private func render(_ req: Request, notice: String?, errors: FieldErrors) async throws -> View {
        let suiteDash = req.services.suiteDash
        let configuration = try await suiteDash.settings.load()
        let calls = try await suiteDash.callsThisMonth(now: req.services.clock.now())
        let limit = configuration.monthlyCallLimit
        let percent = limit.map { min(100, calls * 100 / max($0, 1)) } ?? 0
        var warning: String?
        if let limit, calls >= limit { warning = "This month's \(limit) SuiteDash API calls are used up: syncing is paused (nothing is lost) until the limit is raised or the month ends." }
        else if let limit, percent >= 80 { warning = "\(calls) of \(limit) API calls used this month (\(percent)%)." }
        let pending = try await Enquiry.query(on: req.db).filter(\.$status == .pending).count()
        return try await req.view.render("admin/integrations/suitedash", Context(
            title: "SuiteDash", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            apiMode: configuration.mode == .api, isEnabled: configuration.isEnabled, apiURL: configuration.apiURL,
            maskedPublicID: Self.mask(configuration.credentials?.publicID), hasSecretKey: configuration.credentials != nil,
            tags: configuration.tags.joined(separator: ", "), monthlyCallLimit: limit.map(String.init) ?? "",
            failingReason: configuration.failingReason,
            lastTestedAt: AdminDate.format(configuration.lastTestedAt), lastTestSuccess: configuration.lastTestSuccess ?? false,
            lastTestMessage: configuration.lastTestMessage ?? "", callsThisMonth: calls, budgetPercent: percent,
            budgetWarning: warning, pendingCount: pending, offerSync: configuration.syncsAutomatically && pending > 0,
            fromEnvironment: !configuration.savedByAdmin, notice: notice, errors: errors))
    }

    /// Enough of the Public ID to recognise it; the secret is never shown at all.
    static func mask(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return "" }
        return value.count <= 8 ? "••••" : String(value.prefix(4)) + "••••" + String(value.suffix(2))
    }


    private func redirect(_ req: Request, _ notice: String) -> Response {
        req.redirect(to: AdminPath.suiteDash.path, notice: notice)
    }
}
