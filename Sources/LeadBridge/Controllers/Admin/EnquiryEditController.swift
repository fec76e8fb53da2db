import Fluent
import Vapor

/// `/admin/submissions/:id/edit`: correct an enquiry (say, the email SuiteDash refused), by
/// the same rules as the contact form. A failed enquiry goes back to pending and, in API
/// mode, is queued for SuiteDash again, in the same transaction as the edit.
struct EnquiryEditController {
    struct Option: Encodable { let name: String; let selected: Bool }
    struct Context: Encodable {
        let title: String, csrf: String, admin: String
        let id: Int, values: ContactInput, options: [Option], errors: FieldErrors, syncError: String
    }

    @Sendable func edit(req: Request) async throws -> View {
        let enquiry = try await find(req)
        let values = ContactInput(firstName: enquiry.firstName, lastName: enquiry.lastName, email: enquiry.email,
                                  phone: enquiry.phone, company: enquiry.company,
                                  serviceInterest: enquiry.serviceInterest, message: enquiry.message)
        return try await render(req, enquiry, values: values, errors: [:])
    }

    @Sendable func update(req: Request) async throws -> Response {
        let enquiry = try await find(req)
        var input = (try? req.content.decode(ContactInput.self)) ?? ContactInput()
        input.consent = enquiry.consent
        input.website = nil
        input.source = enquiry.source
        var rules = req.services.config.intake
        rules.consentRequired = false
        if let current = enquiry.serviceInterest, !rules.serviceInterests.contains(current) {
            rules.serviceInterests.append(current)   // a choice since removed from the form stays valid
        }
        switch EnquiryValidator(settings: rules).validate(input) {
        case .invalid(let errors):
            let response = try await render(req, enquiry, values: input, errors: errors).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        case .valid(let corrected):
            let queued = try await EnquiryCorrection(sync: req.services.suiteDash.enquirySync, database: req.db)
                .save(enquiry, as: corrected)
            let id = try enquiry.requireID()
            let notice = queued ? "Saved, and queued for SuiteDash again." : "Saved."
            return req.redirect(to: AdminURL.enquiry(.value(id)).path, notice: notice)
        }
    }

    private func find(_ req: Request) async throws -> Enquiry {
        guard let id = req.parameters.get("id", as: Int.self), let enquiry = try await Enquiry.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no enquiry with that number; it may have been deleted.")
        }
        return enquiry
    }

    private func render(_ req: Request, _ enquiry: Enquiry, values: ContactInput, errors: FieldErrors) async throws -> View {
        var interests = req.services.config.intake.serviceInterests
        if let current = enquiry.serviceInterest, !interests.contains(current) { interests.append(current) }
        return try await req.view.render("admin/enquiries/edit", Context(
            title: "Edit enquiry #\(enquiry.id ?? 0)", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            id: enquiry.id ?? 0, values: values,
            options: interests.map { Option(name: $0, selected: $0 == values.serviceInterest) },
            errors: errors, syncError: enquiry.syncError ?? ""))
    }
}
