import Vapor

/// `/f/{slug}`: a form any website can post to, embed or frame (Admin > Forms).
///
/// - `POST`: a plain HTML form's post (urlencoded or multipart, no files) or `embed.js`'s
///   `fetch`. Instead of the CSRF cookie a page on another site cannot carry, the request's
///   `Origin` (or `Referer`) must be one of the form's websites; the honeypot and the rate
///   limits apply as everywhere. Success is a 303 to the thank-you page (or `_next`, when it is
///   on one of the form's websites); field errors are a page naming each field, with a link
///   back. `Accept: application/json` gets `/api/contact`'s JSON answers, with CORS for the
///   form's websites.
/// - `GET`: the hosted form, which the form's websites (and only they) may put in an iframe.
struct HostedFormController {
    @Sendable func show(req: Request) async throws -> Response {
        let form = try await find(req)
        // The hosted page passes on the attribution in its own address (`?utm_source=…`), which
        // `embed.js` fills from the host page's, or a site writes into the iframe's src.
        var hidden = Attribution.Key.allCases.compactMap { key -> ContactFormPage.Hidden? in
            guard let value = req.query[String.self, at: key.rawValue],
                  let cleaned = Attribution.clean(value, as: key) else { return nil }
            return .init(name: key.rawValue, value: cleaned)
        }
        if let next = req.query[String.self, at: "_next"] { hidden.append(.init(name: "_next", value: String(next.prefix(1000)))) }
        let page = ContactFormPage(form: form, action: "/f/\(form.slug)", framed: true, hiddenFields: hidden)
        let response = try await page.render(req, values: ContactInput(), errors: [:]).encodeResponse(for: req)
        frame(response, for: form, req)
        return response
    }

    @Sendable func thanks(req: Request) async throws -> Response {
        let form = try await find(req)
        let response = try await req.view.render("forms/thanks", ["title": "Thank you", "framed": "true"]).encodeResponse(for: req).get()
        frame(response, for: form, req)
        return response
    }

    @Sendable func submit(req: Request) async throws -> Response {
        let form = try await find(req)
        let wantsJSON = req.prefersJSON
        let allowed = FormOrigins.allowed(for: form, appURL: req.services.config.appURL)
        let origin = FormOrigins.of(req)
        guard let origin, allowed.contains(origin) else {
            let from = origin.map { "The website \($0) is" } ?? "A page whose address the browser did not send is"
            throw Abort(.forbidden, reason: "\(from) not allowed to post to the form “\(form.name)”. Add the website in Admin > Forms > \(form.name) > Websites.")
        }
        let cors = CORSAnswer(origin: origin)
        let pipeline = IntakePipeline(request: req)
        if let refusal = await pipeline.admit() { return try await answer(refusal, form, ContactInput(), next: nil, wantsJSON, cors, req) }

        let fields: [(name: String, value: String)]
        do {
            fields = try FormBody.fields(of: req)
        } catch .fileAttached(let field) {
            throw cors.abort(.unsupportedMediaType, "This form cannot take files (the field “\(field.prefix(60))” held one): send the form without the file, or paste a link to it in the message.")
        } catch .unsupportedType {
            throw cors.abort(.unsupportedMediaType, "Post the form as application/x-www-form-urlencoded or multipart/form-data, as an HTML form does; JSON goes to /api/contact.")
        } catch {
            throw cors.abort(.badRequest, "The form's body could not be read; send it again from the form.")
        }
        var input = ContactInput(fields: fields)
        // Like the contact page: the labels shown are the configured ones.
        input.consentText = nil
        input.smsConsentText = nil
        // A plain form without embed.js sends no tags; a page whose referrer policy sends its
        // full address (no-referrer-when-downgrade) still tells where the visitor landed.
        if input.attribution.isEmpty, let referer = req.headers.first(name: .referer), FormOrigins.isOn(referer, allowed) {
            input.attribution = Attribution.fromAddress(referer)
        }
        let next = fields.last(where: { $0.name == "_next" })?.value
        return try await answer(pipeline.receive(input, form: form), form, input, next: next, wantsJSON, cors, req)
    }

    /// `GET /f/{slug}/stamp`: the signed time `embed.js` adds to a form it upgraded (`_ts`), as
    /// the hosted form carries it, so a bot posting at once is kept as spam there too.
    @Sendable func stamp(req: Request) async throws -> Response {
        let form = try await find(req)
        let response = try await Stamp(ts: FormTimestamp.make(req.services.clock.now(), secrets: req.services.secrets),
                                       captcha: CaptchaWidget(form, settings: req.services.config.intake.captcha))
            .encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        if let origin = FormOrigins.of(req), FormOrigins.allowed(for: form, appURL: req.services.config.appURL).contains(origin) {
            CORSAnswer(origin: origin).apply(to: response)
        }
        return response
    }

    /// What `embed.js` reads from `/stamp`: the signed time, and the form's captcha widget.
    struct Stamp: Content {
        let ts: String
        let captcha: CaptchaWidget?
    }

    /// The CORS preflight. Only a form's websites get an answer that lets the post through.
    @Sendable func preflight(req: Request) async throws -> Response {
        let form = try await find(req)
        let response = Response(status: .noContent)
        if let origin = FormOrigins.of(req), FormOrigins.allowed(for: form, appURL: req.services.config.appURL).contains(origin) {
            CORSAnswer(origin: origin).apply(to: response)
            response.headers.replaceOrAdd(name: .accessControlAllowMethods, value: "POST, OPTIONS")
            response.headers.replaceOrAdd(name: .accessControlAllowHeaders, value: "Accept, Content-Type")
            response.headers.replaceOrAdd(name: .accessControlMaxAge, value: "600")
        }
        return response
    }

    private func answer(_ outcome: IntakePipeline.Outcome, _ form: WebForm, _ input: ContactInput, next: String?,
                        _ wantsJSON: Bool, _ cors: CORSAnswer, _ req: Request) async throws -> Response {
        if wantsJSON {
            let response: Response
            do { response = try await ContactAPIController().respond(outcome, req) } catch let error as any AbortError {
                throw cors.abort(error.status, error.reason, headers: error.headers)
            }
            cors.apply(to: response)
            return response
        }
        let allowed = FormOrigins.allowed(for: form, appURL: req.services.config.appURL)
        switch outcome {
        case .accepted, .discarded:
            // A bot's honeypot is answered like a person's success: it learns nothing.
            let target: String
            if let next, FormOrigins.isOn(next, allowed) { target = next }
            else if let thanks = form.thankYouURL, !thanks.isEmpty { target = thanks }
            else { target = "/f/\(form.slug)/thanks" }
            return req.redirect(to: target, redirectType: .normal)
        case .invalid(let errors):
            let back = req.headers.first(name: .referer).flatMap { FormOrigins.isOn($0, allowed) ? $0 : nil } ?? "/f/\(form.slug)"
            let rows = errors.sorted { $0.key < $1.key }.map { key, sentence in
                FieldProblem(field: label(of: key, in: form), sentence: sentence)
            }
            let page = try await req.view.render("forms/errors", ErrorsContext(
                title: "Please check the form", formName: form.name, problems: rows, back: back))
            let response = try await page.encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        case .rateLimited(let retryAfter):
            throw Abort(.tooManyRequests, headers: ["Retry-After": String(retryAfter)],
                        reason: "You've sent several enquiries in a short time. Please wait \(retryAfter) seconds and send the form again.")
        }
    }

    private struct FieldProblem: Encodable { let field: String; let sentence: String }
    private struct ErrorsContext: Encodable {
        let title: String, formName: String, problems: [FieldProblem], back: String
    }

    private func label(of key: String, in form: WebForm) -> String {
        if let field = form.fields.first(where: { $0.name == key }) { return field.label }
        let names = ["first_name": "First name", "last_name": "Last name", "email": "Email", "phone": "Phone",
                     "company": "Company", "service_interest": "Service interest", "message": "Message",
                     "consent": "Consent", "extra": "Extra fields"]
        return names[key] ?? key
    }

    private func find(_ req: Request) async throws -> WebForm {
        let slug = req.parameters.get("slug") ?? ""
        guard WebForm.isValidSlug(slug), let form = try await req.services.intakeLookups.form(slug: slug, on: req.db) else {
            throw Abort(.notFound, reason: "There is no form at this address; check the form's address in Admin > Forms.")
        }
        return form
    }

    /// May the form's websites frame this page: `frame-ancestors` lists exactly them (and this
    /// server, for the admin's preview). The page's own CSP otherwise matches every page's.
    private func frame(_ response: Response, for form: WebForm, _ req: Request) {
        let ancestors = (["'self'"] + form.origins).joined(separator: " ")
        var targets = ["'self'"] + form.origins
        if let thanks = form.thankYouURL.flatMap(FormOrigins.normalize), !targets.contains(thanks) { targets.append(thanks) }
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: SecurityHeadersMiddleware.policy(
            frameAncestors: ancestors, formAction: targets.joined(separator: " "), captcha: req.captchaSources))
        // frame-ancestors replaces X-Frame-Options, which cannot list sites.
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "")
    }
}

/// The CORS headers for an origin already checked against the form's websites. Cookies are
/// never allowed: the form needs none.
struct CORSAnswer {
    let origin: String

    func apply(to response: Response) {
        response.headers.replaceOrAdd(name: .accessControlAllowOrigin, value: origin)
        response.headers.add(name: .vary, value: "Origin")
    }

    /// An error that a script on the form's website can read.
    func abort(_ status: HTTPResponseStatus, _ reason: String, headers: HTTPHeaders = [:]) -> Abort {
        var headers = headers
        headers.replaceOrAdd(name: .accessControlAllowOrigin, value: origin)
        headers.add(name: .vary, value: "Origin")
        return Abort(status, headers: headers, reason: reason)
    }
}
