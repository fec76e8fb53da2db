import Fluent
import Vapor

/// Admin > Forms: every form websites post to, each with its websites, thank-you page, extra
/// fields, SuiteDash tags and custom fields, and whether speed-to-lead texts apply; and the
/// three ways to put it on a site (a plain form, the embed snippet, an iframe).
struct FormsController {
    struct Row: Encodable {
        let id: Int, name: String, slug: String, websites: String, enquiries: Int, extraFields: Int
    }
    struct IndexContext: Encodable {
        let title: String, csrf: String, admin: String, notice: String?, rows: [Row]
    }

    struct FieldRow: Encodable {
        let index: Int, name: String, label: String, kinds: [KindOption], required: Bool, options: String, suiteDash: String
    }
    struct KindOption: Encodable { let value: String; let label: String; let selected: Bool }
    struct CustomFieldOption: Encodable { let key: String; let label: String }
    struct EditContext: Encodable {
        let title: String, csrf: String, admin: String, notice: String?, errors: FieldErrors, hasErrors: Bool
        let fieldProblems: [String]
        let isNew: Bool, isContact: Bool, id: Int?
        let name: String, slug: String, websites: String, thankYouURL: String, tags: String, speedToLead: Bool
        let fields: [FieldRow]
        let customFields: [CustomFieldOption]
        let formURL: String, embedURL: String, appOrigin: String
        let enquiries: Int
        let captchaProviders: [KindOption]
        let captchaSiteKey: String
        let hasCaptchaSecret: Bool
        let alertEmailTo: String
        /// Admin > Email's staff addresses and acknowledgement, which a form follows unless it says otherwise.
        let staffDefault: String
        let acknowledgements: [KindOption]
    }

    /// The blank rows shown below a form's fields, to add more.
    static let blankRows = 3

    @Sendable func index(req: Request) async throws -> View {
        let forms = try await WebForm.query(on: req.db).sort(\.$id).all()
        var rows: [Row] = []
        for form in forms {
            let id = try form.requireID()
            let count = try await Enquiry.query(on: req.db).filter(\.$formID == id).count()
            rows.append(Row(id: id, name: form.name, slug: form.slug,
                            websites: form.origins.isEmpty ? "This server only" : form.origins.joined(separator: ", "),
                            enquiries: count, extraFields: form.fields.count))
        }
        return try await req.view.render("admin/forms/index", IndexContext(
            title: "Forms", csrf: req.csrfToken, admin: try req.auth.require(User.self).email, notice: req.notice, rows: rows))
    }

    @Sendable func new(req: Request) async throws -> Response {
        try await render(req, WebForm(slug: "", name: ""), errors: [:], status: .ok)
    }

    @Sendable func edit(req: Request) async throws -> Response {
        try await render(req, try await find(req), errors: [:], status: .ok)
    }

    @Sendable func create(req: Request) async throws -> Response {
        try await save(req, into: WebForm(slug: "", name: ""))
    }

    @Sendable func update(req: Request) async throws -> Response {
        try await save(req, into: try await find(req))
    }

    @Sendable func delete(req: Request) async throws -> Response {
        let form = try await find(req)
        guard form.slug != WebForm.contactSlug else {
            throw Abort(.conflict, reason: "The contact page's form cannot be deleted; its page is /contact.")
        }
        // Its enquiries stay, and still say which form they came from by number.
        try await form.delete(on: req.db)
        req.services.intakeLookups.invalidate()
        return req.redirect(to: AdminURL.forms.path, notice: "Deleted the form “\(form.name)”. Its enquiries are kept.")
    }

    private func save(_ req: Request, into form: WebForm) async throws -> Response {
        let posted = (try? FormBody.fields(of: req)) ?? []
        let values = Dictionary(posted, uniquingKeysWith: { _, last in last })
        let submission = FormSettingsInput(values: values, isContact: form.slug == WebForm.contactSlug && form.id != nil)
        var errors = submission.errors
        if let taken = try await WebForm.find(slug: submission.slug, on: req.db), taken.id != form.id {
            errors["slug"] = "Another form (“\(taken.name)”) has this address already; choose another."
        }
        let providerChanged = submission.captchaProvider?.rawValue != form.captchaProviderName
        if let provider = submission.captchaProvider, submission.captchaSecret == nil,
           form.sealedCaptchaSecret == nil || providerChanged {
            errors["captcha_secret"] = "Paste \(provider.displayName)'s secret key too: LeadBridge checks each answer with it."
        }
        if submission.acknowledgement == "on" {
            let email = try await req.services.email.settings(on: req.db).load(openingPassword: false)
            if !email.canSend || email.acknowledgementSubject.isEmpty || email.acknowledgementBody.isEmpty || email.businessFooter.isEmpty {
                errors["acknowledgement"] = "Set up the acknowledgement in Admin > Email first (a mail server, its subject and words, and the business's address and contact for its footer), then choose it here."
            }
        }
        submission.apply(to: form)
        guard errors.isEmpty else { return try await render(req, form, errors: errors, status: .unprocessableEntity) }
        // Sealed only now: a page sent back with errors must not say an unsaved secret is saved.
        if let secret = submission.captchaSecret, submission.captchaProvider != nil {
            form.sealedCaptchaSecret = try req.services.secrets.seal(secret, context: WebForm.captchaSecretContext)
        }
        let isNew = form.id == nil
        try await form.save(on: req.db)
        req.services.intakeLookups.invalidate()
        let id = try form.requireID()
        return req.redirect(to: AdminURL.form(.value(id)).path, notice: isNew ? "Created the form “\(form.name)”." : "Saved.")
    }

    private func find(_ req: Request) async throws -> WebForm {
        guard let id = req.parameters.get("id", as: Int.self), let form = try await WebForm.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no form with that number; it may have been deleted.")
        }
        return form
    }

    private func render(_ req: Request, _ form: WebForm, errors: FieldErrors, status: HTTPResponseStatus) async throws -> Response {
        let catalog = try await req.services.suiteDash.settings(on: req.db).load().customFieldCatalog
        let email = try await req.services.email.settings(on: req.db).load(openingPassword: false)
        let map = form.fieldMap
        var rows = form.fields.enumerated().map { index, field in
            FieldRow(index: index, name: field.name, label: field.label, kinds: Self.kinds(field.kind), required: field.required,
                     options: field.options.joined(separator: ", "), suiteDash: map[field.name] ?? "")
        }
        for index in rows.count..<max(rows.count, min(rows.count + Self.blankRows, FormField.maxCount)) {
            rows.append(FieldRow(index: index, name: "", label: "", kinds: Self.kinds(.text), required: false, options: "", suiteDash: ""))
        }
        let base = req.services.config.appURL.hasSuffix("/") ? String(req.services.config.appURL.dropLast()) : req.services.config.appURL
        var enquiries = 0
        if let id = form.id { enquiries = try await Enquiry.query(on: req.db).filter(\.$formID == id).count() }
        let context = EditContext(
            title: form.id == nil ? "New form" : "Form: \(form.name)", csrf: req.csrfToken,
            admin: try req.auth.require(User.self).email, notice: req.notice, errors: errors, hasErrors: !errors.isEmpty,
            fieldProblems: errors.filter { $0.key.hasPrefix("field_") }.sorted { $0.key < $1.key }.map(\.value),
            isNew: form.id == nil, isContact: form.slug == WebForm.contactSlug && form.id != nil, id: form.id,
            name: form.name, slug: form.slug, websites: form.origins.joined(separator: "\n"),
            thankYouURL: form.thankYouURL ?? "", tags: form.tagsText, speedToLead: form.speedToLead,
            fields: rows, customFields: catalog.map { CustomFieldOption(key: $0.key, label: $0.label) },
            formURL: base + "/f/" + (form.slug.isEmpty ? "your-form" : form.slug), embedURL: base + "/embed.js",
            appOrigin: FormOrigins.normalize(base) ?? base, enquiries: enquiries,
            captchaProviders: [KindOption(value: "", label: "None", selected: form.captchaProviderName == nil)]
                + CaptchaProvider.allCases.map { KindOption(value: $0.rawValue, label: $0.displayName, selected: $0.rawValue == form.captchaProviderName) },
            captchaSiteKey: form.captchaSiteKey ?? "", hasCaptchaSecret: form.sealedCaptchaSecret != nil,
            alertEmailTo: form.alertEmailTo.joined(separator: ", "),
            staffDefault: email.alertTo.isEmpty ? "none yet" : email.alertTo.joined(separator: ", "),
            acknowledgements: [
                KindOption(value: "", label: "As Admin > Email says (\(email.acknowledgementOn ? "on" : "off"))", selected: form.acknowledges == nil),
                KindOption(value: "on", label: "Send it to this form's leads", selected: form.acknowledges == true),
                KindOption(value: "off", label: "Never for this form", selected: form.acknowledges == false),
            ])
        let response = try await req.view.render("admin/forms/edit", context).encodeResponse(for: req)
        response.status = status
        return response
    }

    private static func kinds(_ selected: FormField.Kind) -> [KindOption] {
        FormField.Kind.allCases.map { KindOption(value: $0.rawValue, label: $0.label, selected: $0 == selected) }
    }
}
