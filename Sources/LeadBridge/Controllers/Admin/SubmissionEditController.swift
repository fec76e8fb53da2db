import Fluent
import Vapor

/// `/admin/submissions/:id/edit`: correct an enquiry (say, the email SuiteDash refused), by
/// the same rules as the contact form. A failed enquiry goes back to pending and, in API
/// mode, is queued for SuiteDash again, in the same transaction as the edit.
struct SubmissionEditController {
    struct Option: Encodable { let name: String; let selected: Bool }
    struct Context: Encodable {
        let title: String, csrf: String, admin: String
        let id: Int, values: ContactInput, options: [Option], errors: FieldErrors, syncError: String
    }

    @Sendable func edit(req: Request) async throws -> View {
        let submission = try await find(req)
        let values = ContactInput(firstName: submission.firstName, lastName: submission.lastName, email: submission.email,
                                  phone: submission.phone, company: submission.company,
                                  serviceInterest: submission.serviceInterest, message: submission.message)
        return try await render(req, submission, values: values, errors: [:])
    }

    @Sendable func update(req: Request) async throws -> Response {
        let submission = try await find(req)
        var input = (try? req.content.decode(ContactInput.self)) ?? ContactInput()
        input.consent = submission.consent
        input.website = nil
        input.source = submission.source
        var rules = req.services.config.intake
        rules.consentRequired = false
        if let current = submission.serviceInterest, !rules.serviceInterests.contains(current) {
            rules.serviceInterests.append(current)   // a choice since removed from the form stays valid
        }
        switch EnquiryValidator(settings: rules).validate(input) {
        case .invalid(let errors):
            let response = try await render(req, submission, values: input, errors: errors).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        case .valid(let enquiry):
            submission.firstName = enquiry.firstName
            submission.lastName = enquiry.lastName
            submission.email = enquiry.email
            submission.phone = enquiry.phone
            submission.company = enquiry.company
            submission.serviceInterest = enquiry.serviceInterest
            submission.message = enquiry.message
            let wasFailed = submission.status == .failed
            if wasFailed {
                submission.status = .pending
                submission.syncError = nil
            }
            let suiteDash = req.services.suiteDash
            let id = try submission.requireID()
            let queued = try await req.db.transaction { tx -> Bool in
                try await submission.save(on: tx)
                guard wasFailed, try await suiteDash.settings(on: tx).load().syncsAutomatically else { return false }
                try await suiteDash.queueSync([id], on: tx)
                return true
            }
            let notice = queued ? "Saved, and queued for SuiteDash again." : "Saved."
            return req.redirect(to: AdminPath.enquiry(id).path, notice: notice)
        }
    }

    private func find(_ req: Request) async throws -> ContactSubmission {
        guard let id = req.parameters.get("id", as: Int.self), let submission = try await ContactSubmission.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no enquiry with that number; it may have been deleted.")
        }
        return submission
    }

    private func render(_ req: Request, _ submission: ContactSubmission, values: ContactInput, errors: FieldErrors) async throws -> View {
        var interests = req.services.config.intake.serviceInterests
        if let current = submission.serviceInterest, !interests.contains(current) { interests.append(current) }
        return try await req.view.render("admin/submissions/edit", Context(
            title: "Edit enquiry #\(submission.id ?? 0)", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            id: submission.id ?? 0, values: values,
            options: interests.map { Option(name: $0, selected: $0 == values.serviceInterest) },
            errors: errors, syncError: submission.syncError ?? ""))
    }
}
