import Vapor

/// `POST /api/contact`: the contact form as JSON, for headless websites.
struct ContactAPIController {
    struct Created: Content { let id: Int; let status: EnquiryStatus }
    struct Invalid: Content { let error: String; let fields: FieldErrors }

    @Sendable func create(req: Request) async throws -> Response {
        let pipeline = IntakePipeline(request: req)
        if let refusal = await pipeline.admit() { return try await respond(refusal, req) }

        guard req.headers.contentType == .json else {
            throw Abort(.unsupportedMediaType, reason: "Send the enquiry as JSON with the header Content-Type: application/json.")
        }
        var input: ContactInput
        do {
            input = try req.content.decode(ContactInput.self)
        } catch {
            throw Abort(.badRequest, reason: "The body is not a JSON object of enquiry fields (first_name, email, …); check it is valid JSON.")
        }
        let shapeErrors = JSONExtraFields.read(req.body.data.map { Data(buffer: $0) } ?? Data(), into: &input)
        if !shapeErrors.isEmpty { return try await respond(.invalid(shapeErrors), req) }
        // `?form=slug`: a site (or a WordPress add-on) posting for one of Admin > Forms' forms.
        var form: WebForm?
        if let slug = req.query[String.self, at: "form"] {
            guard WebForm.isValidSlug(slug), let found = try await req.services.intakeLookups.form(slug: slug, on: req.db) else {
                throw Abort(.notFound, reason: "There is no form “\(slug.prefix(60))”; check the form's address in Admin > Forms.")
            }
            form = found
        }
        return try await respond(pipeline.receive(input, form: form), req)
    }

    /// The JSON answers, shared with `/f/{slug}` when the caller asks for JSON.
    func respond(_ outcome: IntakePipeline.Outcome, _ req: Request) async throws -> Response {
        switch outcome {
        case .rateLimited(let retryAfter):
            throw Abort(.tooManyRequests, headers: ["Retry-After": String(retryAfter)],
                        reason: "Too many enquiries from this address; try again in \(retryAfter) seconds.")
        case .discarded:
            return try await ["status": "discarded"].encodeResponse(status: .accepted, for: req)
        case .invalid(let fields):
            return try await Invalid(error: "Some fields need attention.", fields: fields)
                .encodeResponse(status: .unprocessableEntity, for: req)
        case .accepted(let id):
            return try await Created(id: id, status: .pending)
                .encodeResponse(status: .created, for: req)
        }
    }
}
