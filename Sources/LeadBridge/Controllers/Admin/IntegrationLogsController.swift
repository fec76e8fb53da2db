import Fluent
import Vapor

/// `/admin/integration-logs`: every provider call, filterable, each with its redacted payload and answer.
struct IntegrationLogsController {
    static let pageSize = 50

    struct Row: Encodable {
        let id: Int, when: String, provider: String, action: String, status: String
        let httpStatus: String, duration: String, related: String, relatedLink: String?, error: String

        init(_ log: IntegrationLog) {
            id = log.id ?? 0
            when = AdminDate.format(log.createdAt)
            provider = log.provider
            action = log.action
            status = log.status
            httpStatus = log.httpStatus.map(String.init) ?? "—"
            duration = log.durationMS.map { "\($0) ms" } ?? ""
            // LeadBridge's own lines (a password link made) are about an admin, not an enquiry.
            related = log.relatedID.map { log.relatedType == "user" ? "admin #\($0)" : "enquiry #\($0)" } ?? ""
            relatedLink = log.relatedType == IntegrationLog.aboutEnquiry ? log.relatedID.map { AdminURL.enquiry(.value($0)).path } : nil
            error = log.errorMessage ?? ""
        }
    }

    struct ListContext: Encodable {
        let title: String, csrf: String, admin: String
        let rows: [Row]
        let provider: String, status: String, action: String, enquiry: String
        let nextPage: String?, previousPage: String?
    }

    struct DetailContext: Encodable {
        let title: String, csrf: String, admin: String
        let row: Row, requestID: String, payload: String, response: String
    }

    @Sendable func index(req: Request) async throws -> View {
        let provider = Self.filter(req, "provider")
        let status = Self.filter(req, "status").flatMap { ["pending", "success", "failed"].contains($0) ? $0 : nil }
        let action = Self.filter(req, "action")
        let enquiry = (try? req.query.get(Int.self, at: "enquiry"))
        let page = req.pageNumber

        var query = IntegrationLog.query(on: req.db)
        if let provider { query = query.filter(\.$provider == provider) }
        if let status { query = query.filter(\.$status == status) }
        if let action { query = query.filter(\.$action == action) }
        if let enquiry { query = query.filter(\.$relatedType == IntegrationLog.aboutEnquiry).filter(\.$relatedID == enquiry) }
        let logs = try await query.sort(\.$id, .descending).range(((page - 1) * Self.pageSize)..<(page * Self.pageSize + 1)).all()

        func link(_ page: Int) -> String {
            var items = ["page=\(page)"]
            for (name, value) in [("provider", provider), ("status", status), ("action", action), ("enquiry", enquiry.map(String.init))] {
                if let value { items.append(name + "=" + (value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")) }
            }
            return AdminURL.integrationLogs.path + "?" + items.joined(separator: "&")
        }
        return try await req.view.render("admin/integration-logs/index", ListContext(
            title: "Integration logs", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            rows: logs.prefix(Self.pageSize).map(Row.init), provider: provider ?? "", status: status ?? "",
            action: action ?? "", enquiry: enquiry.map(String.init) ?? "",
            nextPage: logs.count > Self.pageSize ? link(page + 1) : nil, previousPage: page > 1 ? link(page - 1) : nil))
    }

    @Sendable func show(req: Request) async throws -> View {
        guard let id = req.parameters.get("id", as: Int.self), let log = try await IntegrationLog.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no integration log line with that number.")
        }
        return try await req.view.render("admin/integration-logs/show", DetailContext(
            title: "Log #\(id)", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            row: Row(log), requestID: log.requestID ?? "", payload: log.payload?.text ?? "", response: log.response?.text ?? ""))
    }

    private static func filter(_ req: Request, _ name: String) -> String? {
        guard let value = try? req.query.get(String.self, at: name) else { return nil }
        let clean = TextSanitizer.singleLine(value)
        return clean.isEmpty ? nil : String(clean.prefix(100))
    }
}
