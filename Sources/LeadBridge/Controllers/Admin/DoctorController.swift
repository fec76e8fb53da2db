import Vapor

/// `/admin/doctor`: the dashboard's "Check everything", which runs `leadbridge doctor`'s checks
/// and shows them. Nothing is stored: each press asks again.
struct DoctorController {
    struct Row: Encodable {
        let verdict: String, label: String, area: String, name: String, sentence: String
    }
    struct Context: Encodable {
        let title: String, csrf: String, admin: String
        let ran: Bool, rows: [Row], failures: Int, passes: Int, unknowns: Int, ranAt: String
    }

    @Sendable func show(req: Request) async throws -> View {
        try await render(req, checks: nil)
    }

    @Sendable func run(req: Request) async throws -> View {
        try await render(req, checks: await Doctor(application: req.application).run())
    }

    private func render(_ req: Request, checks: [DoctorCheck]?) async throws -> View {
        let checks = checks ?? []
        return try await req.view.render("admin/doctor", Context(
            title: "Check everything", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            ran: !checks.isEmpty,
            rows: checks.map {
                Row(verdict: $0.verdict.rawValue, label: Self.label($0.verdict), area: $0.area, name: $0.name, sentence: $0.sentence)
            },
            failures: checks.failures, passes: checks.passes, unknowns: checks.unknowns,
            ranAt: AdminDate.format(req.services.clock.now())))
    }

    /// What a screen reader says for the mark.
    private static func label(_ verdict: DoctorCheck.Verdict) -> String {
        switch verdict {
        case .pass: "passed"
        case .fail: "failed"
        case .unknown: "not settled"
        }
    }
}
