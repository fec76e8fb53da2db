import Vapor

/// First-run setup and sign-in: the only admin pages open without a session.
struct AdminSignInRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let auth = AdminAuthController()
        routes.get("setup", use: auth.showSetup)
        routes.post("setup", use: auth.setup)
        routes.get("login", use: auth.showLogin)
        routes.post("login", use: auth.login)
        routes.grouped(RequireAdmin()).post("logout", use: auth.logout)
        routes.grouped(RequireAdmin()).post("logout-everywhere", use: auth.logoutEverywhere)
        // The one-time token is the proof here, not a session.
        let link = PasswordLinkController()
        routes.get("password", ":token", use: link.show)
        routes.post("password", ":token", use: link.use)
    }
}

/// Admin > Users: who can sign in, and adding, disabling and resetting them.
struct AdminUserRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let users = UsersController()
        routes.get("users", use: users.index)
        routes.post("users", use: users.add)
        routes.post("users", ":id", "reset", use: users.reset)
        routes.post("users", ":id", "disable", use: users.disable)
        routes.post("users", ":id", "enable", use: users.enable)
    }
}

/// The dashboard and enquiries: list, detail, edit, sync again, call and text.
struct AdminEnquiryRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: DashboardController.index)
        let enquiries = EnquiriesController()
        routes.get("submissions", use: enquiries.index)
        routes.get("submissions", ":id", use: enquiries.show)
        routes.post("submissions", ":id", "sync", use: enquiries.syncNow)
        routes.post("submissions", ":id", "suitedash-contact", use: enquiries.chooseContact)
        routes.post("submissions", ":id", "suitedash-uncertain", use: enquiries.resolveUncertainCreate)
        routes.post("submissions", ":id", "suitedash-differences", use: SuiteDashDifferencesController().apply)
        let edit = EnquiryEditController()
        routes.get("submissions", ":id", "edit", use: edit.edit)
        routes.post("submissions", ":id", use: edit.update)
        let phone = EnquiryPhoneController()
        routes.post("submissions", ":id", "call", use: phone.call)
        routes.get("submissions", ":id", "ringout", ":ringout", use: phone.ringOutStatus)
        routes.post("submissions", ":id", "ringout", ":ringout", "cancel", use: phone.cancelRingOut)
        routes.post("submissions", ":id", "sms", use: phone.sendSMS)
    }
}

/// What the admin runs the place with: the job queue and the providers' audit log.
struct AdminOperationsRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let integrationLogs = IntegrationLogsController()
        routes.get("integration-logs", use: integrationLogs.index)
        routes.get("integration-logs", ":id", use: integrationLogs.show)
        let speedToLead = SpeedToLeadController()
        routes.get("speed-to-lead", use: speedToLead.show)
        routes.post("speed-to-lead", use: speedToLead.save)
        let privacy = PrivacyController()
        routes.get("privacy", use: privacy.index)
        routes.get("privacy", "export", use: privacy.export)
        routes.post("privacy", "erase", use: privacy.erase)
        let jobs = JobsController()
        routes.get("jobs", use: jobs.index)
        routes.post("jobs", "failed", "retry-all", use: jobs.retryAll)
        routes.post("jobs", "failed", ":id", "retry", use: jobs.retry)
        routes.post("jobs", "failed", ":id", "discard", use: jobs.discardFailed)
        routes.post("jobs", ":id", "discard", use: jobs.discardPending)
    }
}

/// SuiteDash's settings, connection test, and import mode's exports.
struct SuiteDashAdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let suiteDash = routes.grouped("integrations", "suitedash")
        let settings = SuiteDashAdminController()
        suiteDash.get(use: settings.show)
        suiteDash.post(use: settings.save)
        suiteDash.post("test", use: settings.test)
        suiteDash.post("sync-pending", use: settings.syncPending)
        let exports = SuiteDashExportsController()
        suiteDash.get("exports", use: exports.index)
        suiteDash.post("exports", use: exports.generate)
        suiteDash.get("exports", ":id", use: exports.show)
        suiteDash.get("exports", ":id", "download", use: exports.download)
        suiteDash.post("exports", ":id", "delete", use: exports.delete)
        suiteDash.post("exports", ":id", "mark-synced", use: exports.markSynced)
    }
}

/// RingCentral's settings, connection, webhook subscription, calls and texts.
struct RingCentralAdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let ringCentral = routes.grouped("integrations", "ringcentral")
        let settings = RingCentralAdminController()
        ringCentral.get(use: settings.show)
        ringCentral.post(use: settings.save)
        ringCentral.post("connect", use: settings.connect)
        ringCentral.post("connect-jwt", use: settings.connectWithJWT)
        ringCentral.post("disconnect", use: settings.disconnect)
        ringCentral.post("refresh", use: settings.refresh)
        let activity = RingCentralActivityController()
        ringCentral.post("subscription", use: activity.createSubscription)
        ringCentral.post("subscription", "renew", use: activity.renewSubscription)
        ringCentral.post("subscription", "delete", use: activity.deleteSubscription)
        ringCentral.post("my-phone", use: activity.saveOfficePhone)
        routes.get("call-logs", use: activity.callLogs)
        routes.post("call-logs", "sync", use: activity.syncCallLogs)
        routes.get("messages", use: activity.messages)
    }
}
