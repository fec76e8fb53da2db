import Vapor

/// `GET/POST /contact`: the public contact page.
struct ContactFormController {
    @Sendable func show(req: Request) async throws -> View {
        try await render(req, values: ContactInput(), errors: [:])
    }

    @Sendable func submit(req: Request) async throws -> Response {
        let pipeline = IntakePipeline(request: req)
        if let refusal = await pipeline.admit() { return try await respond(refusal, input: ContactInput(), req) }
        var input = (try? FormBody.fields(of: req)).map { ContactInput(fields: $0) }
            ?? (try? req.content.decode(ContactInput.self)) ?? ContactInput()
        // This form shows the configured labels: posted words are not what the visitor saw.
        input.consentText = nil
        input.smsConsentText = nil
        return try await respond(pipeline.receive(input), input: input, req)
    }

    @Sendable func thanks(req: Request) async throws -> View {
        try await req.view.render("contact/thanks", ["title": "Thank you"])
    }

    private func respond(_ outcome: IntakePipeline.Outcome, input: ContactInput, _ req: Request) async throws -> Response {
        switch outcome {
        case .accepted, .discarded:
            // Post/redirect/get: a reload of the thank-you page cannot resubmit.
            return req.redirect(to: "/contact/thanks", redirectType: .normal)
        case .invalid(let errors):
            let response = try await render(req, values: input, errors: errors).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        case .rateLimited(let retryAfter):
            let banner = "You've sent several enquiries in a short time. Please wait \(retryAfter) seconds and try again."
            let response = try await render(req, values: input, errors: [:], banner: banner).encodeResponse(for: req)
            response.status = .tooManyRequests
            response.headers.replaceOrAdd(name: "Retry-After", value: String(retryAfter))
            return response
        }
    }

    private func render(_ req: Request, values: ContactInput, errors: FieldErrors, banner: String? = nil) async throws -> View {
        try await ContactFormPage(form: req.services.intakeLookups.contactForm(on: req.db), action: "/contact", csrf: req.csrfToken)
            .render(req, values: values, errors: errors, banner: banner)
    }
}
