import Fluent
import SuiteDashKit
import Vapor

/// Admin > Integrations > SuiteDash: mode, keys, Test Connection, on/off, the call budget,
/// and what each lead carries (tags, circles, the last-name rule, custom fields).
struct SuiteDashAdminController {
    /// One enquiry field and the custom fields it can go to.
    struct Mapping: Encodable {
        struct Option: Encodable { let key: String, label: String, selected: Bool }
        let field: String, label: String, options: [Option], error: String?
    }

    struct Context: Encodable {
        let title: String, csrf: String, admin: String
        let apiMode: Bool, isEnabled: Bool, apiURL: String
        /// `leadbridge demo`: the API is the demo's own stand-in and cannot be changed.
        let apiURLIsFixed: Bool
        let maskedPublicID: String, hasSecretKey: Bool
        let tags: String, monthlyCallLimit: String
        /// SuiteDash's plans to choose from, the current one selected.
        let plans: [Mapping.Option]
        let circles: String, lastNamePlaceholder: String, mappings: [Mapping], hasCustomFields: Bool
        let failingReason: String?
        let lastTestedAt: String, lastTestSuccess: Bool, lastTestMessage: String
        let requestsThisMonth: Int, budgetPercent: Int, budgetWarning: String?
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
        var circles: String?
        var last_name_placeholder: String?
        var monthly_call_limit: String?
        /// A `SuiteDashPlan`; `custom` takes `monthly_call_limit`.
        var plan: String?
        /// `map_<enquiry field>`: the custom field key, or empty for none.
        var map_service_interest: String?
        var map_source: String?
        var map_message: String?
        var map_consent_at: String?
        var map_admin_url: String?

        /// `others`: the rest of the posted form, for the attribution fields' `map_utm_source`, ….
        func mapped(_ field: SuiteDashMappableField, others: [String: String] = [:]) -> String? {
            let value: String?
            switch field {
            case .serviceInterest: value = map_service_interest
            case .source: value = map_source
            case .message: value = map_message
            case .consentAt: value = map_consent_at
            case .adminURL: value = map_admin_url
            default: value = others["map_" + field.rawValue]
            }
            return FormText.nonEmpty(value)
        }
    }

    @Sendable func show(req: Request) async throws -> View {
        try await render(req, notice: req.notice, errors: [:])
    }

    @Sendable func save(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        var errors = FieldErrors()
        guard let mode = SuiteDashEnvironment.Mode(rawValue: form.mode ?? "") else {
            throw Abort(.badRequest, reason: "Choose API mode or import mode.")
        }
        // `leadbridge demo` fixes the address: what the form says is not used, so it changes nothing.
        let environment = req.services.config.suiteDash
        let apiURL = environment.apiURLIsFixed ? environment.apiURL : TextSanitizer.singleLine(form.api_url ?? "")
        if !FormText.isProviderAddress(apiURL) {
            errors["api_url"] = "Enter the API address over https, like https://app.suitedash.com/secure-api."
        } else if !environment.apiURLIsFixed, ProviderHost.isEnforced(req.application), let problem = ProviderHost.problem(apiURL) {
            errors["api_url"] = ProviderHost.formRefusal(problem: problem)
        }
        let limitText = TextSanitizer.singleLine(form.monthly_call_limit ?? "")
        var limit = Int(limitText)
        if !limitText.isEmpty, (limit ?? 0) <= 0 { errors["monthly_call_limit"] = "Enter your plan's monthly API calls as a whole number, or leave it empty." }
        // A listed plan sets the limit; Custom (or a form without the choice) takes the number typed.
        if let plan = SuiteDashPlan(rawValue: form.plan ?? ""), let calls = plan.monthlyCalls { limit = calls }
        if form.plan == SuiteDashPlan.custom.rawValue, limitText.isEmpty {
            errors["monthly_call_limit"] = "Enter your plan's monthly API calls (SuiteDash > Billing shows them)."
        }
        // API mode never runs without a budget: a small plan's month can run dry within hours of
        // a busy day, and every sync then fails until the month ends.
        if mode == .api, form.enabled != nil, limit == nil, environment.monthlyCallLimit == nil, errors["monthly_call_limit"] == nil {
            errors["plan"] = "Choose your SuiteDash plan (or Custom with its monthly API calls), so syncing pauses before the month's calls run out instead of failing."
        }
        let publicID = FormText.nonEmpty(form.public_id)
        let secret = FormText.nonEmpty(form.secret_key)
        for (field, value) in [("public_id", publicID), ("secret_key", secret)] where (value?.count ?? 0) > 200 {
            errors[field] = "That is longer than any SuiteDash key; copy it again."
        }
        let tags = Self.list(form.tags)
        let circles = Self.list(form.circles)
        if circles.contains(where: { $0.count > 100 }) { errors["circles"] = "A circle's name is at most 100 characters; check the list." }
        let suiteDash = req.services.suiteDash
        let before = try await suiteDash.settings.load()
        if errors["api_url"] == nil, apiURL != before.apiURL, before.credentials != nil, secret == nil {
            // The stored key goes wherever the address points: a new address needs it typed again,
            // so a stolen session cannot send it (and show the answer) elsewhere.
            errors["secret_key"] = "Enter the Secret Key again to use it with a different API address."
        }
        // A form without the field (an older page, a script) keeps the current rule.
        let placeholder = TextSanitizer.singleLine(form.last_name_placeholder ?? before.lastNamePlaceholder)
        if placeholder.isEmpty { errors["last_name_placeholder"] = "SuiteDash requires a last name: enter what to send when an enquiry has none." }
        else if placeholder.count > 50 { errors["last_name_placeholder"] = "Keep it short: 50 characters at most." }
        let known = Set(before.customFieldCatalog.map(\.key))
        var fieldMap = SuiteDashFieldMap()
        let posted = Dictionary((try? FormBody.fields(of: req)) ?? [], uniquingKeysWith: { _, last in last })
        for field in SuiteDashMappableField.allCases {
            guard let key = form.mapped(field, others: posted) else { continue }
            // A key kept from an earlier mapping stays allowed even if the last test did not list it.
            guard known.contains(key) || before.fieldMap[field] == key else {
                errors["map_\(field.rawValue)"] = "That custom field is not in your SuiteDash account; run Test Connection to load its fields."
                continue
            }
            if let other = fieldMap.first(where: { $0.value == key })?.key {
                errors["map_\(field.rawValue)"] = "\(other.label) already goes to that custom field; choose another one for each."
                continue
            }
            fieldMap[field] = key
        }
        guard errors.isEmpty else {
            let response = try await render(req, notice: nil, errors: errors, typed: form).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
        try await suiteDash.settings.save(.init(mode: mode, isEnabled: form.enabled != nil, apiURL: apiURL, publicID: publicID,
                                           secretKey: secret, tags: tags, circles: circles, lastNamePlaceholder: placeholder,
                                           fieldMap: fieldMap, monthlyCallLimit: limit))
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
        try await req.db.writeTransaction { try await suiteDash.queueSync(ids, on: $0) }
        return redirect(req, "\(ids.count) pending enquiry(ies) queued for SuiteDash.")
    }

    /// `typed`: a refused form's values, shown again as the admin typed them (never the keys).
    private func render(_ req: Request, notice: String?, errors: FieldErrors, typed: Form? = nil) async throws -> View {
        let suiteDash = req.services.suiteDash
        var configuration = try await suiteDash.settings.load()
        if let typed {
            configuration.apiURL = TextSanitizer.singleLine(typed.api_url ?? configuration.apiURL)
            configuration.tags = Self.list(typed.tags)
            configuration.circles = Self.list(typed.circles)
            configuration.lastNamePlaceholder = typed.last_name_placeholder ?? configuration.lastNamePlaceholder
            if let mode = SuiteDashEnvironment.Mode(rawValue: typed.mode ?? "") { configuration.mode = mode }
            configuration.isEnabled = typed.enabled != nil
        }
        let calls = try await suiteDash.requestsThisMonth(now: req.services.clock.now())
        let limit = configuration.monthlyCallLimit
        let percent = limit.map { min(100, calls * 100 / max($0, 1)) } ?? 0
        let holds = try await req.services.suiteDash.holds(configuration, requestsThisMonth: calls, on: req.db)
        var warning = holds.isEmpty ? nil : holds.joined(separator: " ")
        if warning == nil, let limit, percent >= 80 { warning = "\(calls) of \(limit) API calls used this month (\(percent)%)." }
        let pending = try await Enquiry.query(on: req.db).filter(\.$status == .pending).count()
        // A refused form shows the plan as chosen; otherwise the plan the stored limit reads as.
        let chosenPlan = typed.map { SuiteDashPlan(rawValue: $0.plan ?? "") } ?? SuiteDashPlan.reading(limit)
        return try await req.view.render("admin/integrations/suitedash", Context(
            title: "SuiteDash", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            apiMode: configuration.mode == .api, isEnabled: configuration.isEnabled, apiURL: configuration.apiURL,
            apiURLIsFixed: req.services.config.suiteDash.apiURLIsFixed,
            maskedPublicID: Self.mask(configuration.credentials?.publicID), hasSecretKey: configuration.credentials != nil,
            tags: configuration.tags.joined(separator: ", "), monthlyCallLimit: limit.map(String.init) ?? "",
            plans: SuiteDashPlan.allCases.map { .init(key: $0.rawValue, label: $0.label, selected: chosenPlan == $0) },
            circles: configuration.circles.joined(separator: ", "), lastNamePlaceholder: configuration.lastNamePlaceholder,
            mappings: Self.mappings(configuration, errors: errors), hasCustomFields: !configuration.customFieldCatalog.isEmpty,
            failingReason: configuration.failingReason,
            lastTestedAt: AdminDate.format(configuration.lastTestedAt), lastTestSuccess: configuration.lastTestSuccess ?? false,
            lastTestMessage: configuration.lastTestMessage ?? "", requestsThisMonth: calls, budgetPercent: percent,
            budgetWarning: warning, pendingCount: pending, offerSync: configuration.syncsAutomatically && pending > 0,
            fromEnvironment: !configuration.savedByAdmin, notice: notice, errors: errors))
    }

    /// Each enquiry field with the account's custom fields to choose from. A mapped field the
    /// last test no longer listed stays on offer, marked, so saving the form does not drop it silently.
    static func mappings(_ configuration: SuiteDashSettings, errors: FieldErrors) -> [Mapping] {
        SuiteDashMappableField.allCases.map { field in
            let chosen = configuration.fieldMap[field]
            var options = configuration.customFieldCatalog.map { Mapping.Option(key: $0.key, label: $0.label, selected: $0.key == chosen) }
            if let chosen, !options.contains(where: { $0.key == chosen }) {
                options.append(.init(key: chosen, label: "\(chosen) (not found at the last test)", selected: true))
            }
            return Mapping(field: field.rawValue, label: field.label, options: options, error: errors["map_\(field.rawValue)"])
        }
    }

    /// A comma-separated list, each item one clean line.
    static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { TextSanitizer.singleLine(String($0)) }.filter { !$0.isEmpty }
    }

    /// Enough of the Public ID to recognise it; the secret is never shown at all.
    static func mask(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return "" }
        return value.count <= 8 ? "••••" : String(value.prefix(4)) + "••••" + String(value.suffix(2))
    }


    private func redirect(_ req: Request, _ notice: String) -> Response {
        req.redirect(to: AdminURL.suiteDash.path, notice: notice)
    }
}
