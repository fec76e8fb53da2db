import Fluent
import Vapor

/// `/admin`: how many enquiries are in each state, and the newest ones.
enum DashboardController {
    struct StatusCount: Encodable { let status: String; let count: Int }
    struct Context: Encodable {
        let title: String
        let csrf: String
        let admin: String
        let total: Int
        let counts: [StatusCount]
        let rows: [EnquiryRow]
        /// Set when RingCentral refused the refresh token: calls and texts wait for a reconnect.
        let ringCentralReauthorization: String?
        /// What holds SuiteDash syncs back (the per-minute ceiling, the budget's reserve), in sentences.
        let suiteDashHolds: [String]
        /// Stored secrets still sealed under a key from APP_PREVIOUS_KEYS.
        let secretsUnderOldKeys: Int
    }

    @Sendable static func index(req: Request) async throws -> View {
        let stored = try await EnquiryCounts.read(on: req.db)
        let counts = EnquiryStatus.allCases.map { StatusCount(status: $0.rawValue, count: stored.count($0)) }
        let latest = try await Enquiry.query(on: req.db)
            .sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(10).all()
        var holds: [String] = []
        if let suiteDash = try? await req.services.suiteDash.settings.load(), suiteDash.syncsAutomatically {
            let calls = try await req.services.suiteDash.callsThisMonth(now: req.services.clock.now())
            holds = try await SuiteDashBudget.holds(req.services, settings: suiteDash, callsThisMonth: calls, on: req.db)
        }
        return try await req.view.render("admin/dashboard", Context(
            title: "Dashboard", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            total: stored.total, counts: counts, rows: latest.map(EnquiryRow.init),
            ringCentralReauthorization: (try? await req.services.ringCentral.settings.load())?.reauthorizationReason,
            suiteDashHolds: holds,
            // Without APP_PREVIOUS_KEYS nothing can be under an old key: no need to read every secret.
            secretsUnderOldKeys: req.services.config.previousAppKeys.isEmpty
                ? 0 : try await SecretResealer(database: req.db, secrets: req.services.secrets).census().underOldKeys))
    }
}
