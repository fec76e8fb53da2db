import Fluent
import Vapor

/// Enquiries > Spam and Admin > Spam: release or delete what the checks kept, mark an enquiry
/// as spam, and the rules that judge it, each visible and editable.
struct SpamController {
    struct RuleRow: Encodable { let id: Int; let kind: String; let value: String; let createdBy: String; let createdAt: String }
    struct KindOption: Encodable { let value: String; let label: String }
    struct Context: Encodable {
        let title: String, csrf: String, admin: String, notice: String?, error: String?
        let rules: [RuleRow]
        let kinds: [KindOption]
        let spamCount: Int
        let minSeconds: Int
        let retention: String
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await render(req, error: nil, status: .ok)
    }

    @Sendable func addRule(req: Request) async throws -> Response {
        struct Form: Decodable { let kind: String?; let value: String? }
        let form = (try? req.content.decode(Form.self))
        guard let kind = form?.kind.flatMap(SpamRule.Kind.init(rawValue:)) else {
            return try await render(req, error: "Choose what the rule looks at.", status: .unprocessableEntity)
        }
        switch SpamRule.normalize(kind, form?.value ?? "") {
        case .failure(let problem):
            return try await render(req, error: problem.sentence, status: .unprocessableEntity)
        case .success(let value):
            if try await SpamRule.query(on: req.db).filter(\.$kind == kind).filter(\.$value == value).first() == nil {
                try await SpamRule(kind: kind, value: value, createdBy: try req.auth.require(User.self).email).create(on: req.db)
                req.services.intakeLookups.invalidate()
            }
            return req.redirect(to: AdminURL.spam.path, notice: "Added: \(kind.label.lowercased()) “\(value)”. It applies to enquiries from now on.")
        }
    }

    @Sendable func deleteRule(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int.self), let rule = try await SpamRule.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such rule; it may have been deleted.")
        }
        try await rule.delete(on: req.db)
        req.services.intakeLookups.invalidate()
        return req.redirect(to: AdminURL.spam.path, notice: "Deleted the rule “\(rule.value)”.")
    }

    /// "Not spam" or "Delete" for the enquiries ticked in the spam list.
    @Sendable func bulk(req: Request) async throws -> Response {
        let fields = (try? FormBody.fields(of: req)) ?? []
        let ids = fields.filter { $0.name == "ids" || $0.name == "ids[]" }.compactMap { Int($0.value) }
        let action = fields.last { $0.name == "action" }?.value
        guard !ids.isEmpty else { throw Abort(.badRequest, reason: "Tick the enquiries to release or delete first.") }
        let spam = release(req)
        let back = AdminURL.enquiries.path + "?status=spam"
        switch action {
        case "release":
            let count = try await spam.release(ids)
            return req.redirect(to: back, notice: "\(count) released: they go to SuiteDash and speed to lead as new enquiries.")
        case "delete":
            let count = try await spam.delete(ids)
            return req.redirect(to: back, notice: "\(count) deleted.")
        default:
            throw Abort(.badRequest, reason: "Choose Not spam or Delete.")
        }
    }

    @Sendable func notSpam(req: Request) async throws -> Response {
        let enquiry = try await find(req)
        guard try await release(req).release([enquiry.requireID()]) == 1 else {
            throw Abort(.conflict, reason: "This enquiry is not in Spam (anymore).")
        }
        return req.redirect(to: AdminURL.enquiry(.value(try enquiry.requireID())).path,
                            notice: "Released: it goes to SuiteDash and speed to lead as a new enquiry would.")
    }

    @Sendable func markSpam(req: Request) async throws -> Response {
        let enquiry = try await find(req)
        guard try await release(req).markSpam(enquiry, by: try req.auth.require(User.self).email) else {
            throw Abort(.conflict, reason: "Only an enquiry not yet synced or exported can be marked as spam; this one is \(enquiry.status.rawValue) (delete it in SuiteDash if it should not be there).")
        }
        return req.redirect(to: AdminURL.enquiry(.value(try enquiry.requireID())).path, notice: "Marked as spam: nothing more is sent for it.")
    }

    @Sendable func deleteSpam(req: Request) async throws -> Response {
        let enquiry = try await find(req)
        guard try await release(req).delete([enquiry.requireID()]) == 1 else {
            throw Abort(.conflict, reason: "Only spam is deleted here; erase a person's enquiries in Admin > Privacy.")
        }
        return req.redirect(to: AdminURL.enquiries.path + "?status=spam", notice: "Deleted.")
    }

    private func release(_ req: Request) -> SpamRelease {
        let services = req.services
        return SpamRelease(followUps: NewEnquiryFollowUps(suiteDash: services.suiteDash, speedToLead: services.speedToLead, email: services.email,
                                                          clock: services.clock), database: req.db)
    }

    private func find(_ req: Request) async throws -> Enquiry {
        guard let id = req.parameters.get("id", as: Int.self), let enquiry = try await Enquiry.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no enquiry with that number; it may have been deleted.")
        }
        return enquiry
    }

    private func render(_ req: Request, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let rules = try await SpamRule.query(on: req.db).sort(\.$kind).sort(\.$value).all()
        let config = req.services.config.intake
        let view = try await req.view.render("admin/spam", Context(
            title: "Spam", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            notice: error == nil ? req.notice : nil, error: error,
            rules: rules.map { RuleRow(id: $0.id ?? 0, kind: $0.kind.label, value: $0.value, createdBy: $0.createdBy ?? "",
                                       createdAt: AdminDate.format($0.createdAt)) },
            kinds: SpamRule.Kind.allCases.map { KindOption(value: $0.rawValue, label: $0.label) },
            spamCount: try await Enquiry.query(on: req.db).filter(\.$status == .spam).count(),
            minSeconds: config.formMinSeconds,
            retention: config.spamRetentionDays.map { "Spam older than \($0) days is erased every day (SPAM_RETENTION_DAYS)." }
                ?? "Spam is kept until someone deletes it (SPAM_RETENTION_DAYS=0)."))
        let response = try await view.encodeResponse(for: req)
        response.status = status
        return response
    }
}
