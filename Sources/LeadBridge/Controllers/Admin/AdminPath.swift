/// Every admin page a redirect or link can point to, named once (as the Swift Package Index
/// server's `SiteURL` does). The URLs keep the guide's words (`submissions`) while the pages
/// say "enquiries".
enum AdminPath {
    case dashboard
    case setup
    case login
    case enquiries
    case enquiry(Int)
    case jobs
    case integrationLogs
    case suiteDash
    case suiteDashExports
    case suiteDashExport(Int)
    case ringCentral
    case callLogs
    case messages
    case users
    case privacy
    case speedToLead
    case user(Int)
    /// A one-time link to set a password (an invitation or a reset).
    case passwordLink(String)

    var path: String {
        switch self {
        case .dashboard: return "/admin"
        case .setup: return "/admin/setup"
        case .login: return "/admin/login"
        case .enquiries: return "/admin/submissions"
        case .enquiry(let id): return "/admin/submissions/\(id)"
        case .jobs: return "/admin/jobs"
        case .integrationLogs: return "/admin/integration-logs"
        case .suiteDash: return "/admin/integrations/suitedash"
        case .suiteDashExports: return "/admin/integrations/suitedash/exports"
        case .suiteDashExport(let id): return "/admin/integrations/suitedash/exports/\(id)"
        case .ringCentral: return "/admin/integrations/ringcentral"
        case .callLogs: return "/admin/call-logs"
        case .messages: return "/admin/messages"
        case .users: return "/admin/users"
        case .privacy: return "/admin/privacy"
        case .speedToLead: return "/admin/speed-to-lead"
        case .user(let id): return "/admin/users/\(id)"
        case .passwordLink(let token): return "/admin/password/\(token)"
        }
    }

    /// The admin area's root, for checks like "is this path inside the admin?".
    static let root = "/admin"
}
