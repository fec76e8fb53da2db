import Vapor

extension RoutesBuilder {
    /// A route at an `AdminURL`: the table that builds the links registers the routes too.
    @discardableResult
    func get<Response: AsyncResponseEncodable>(_ url: AdminURL, use handler: @escaping @Sendable (Request) async throws -> Response) -> Route {
        get(url.pathComponents, use: handler)
    }

    @discardableResult
    func post<Response: AsyncResponseEncodable>(_ url: AdminURL, use handler: @escaping @Sendable (Request) async throws -> Response) -> Route {
        post(url.pathComponents, use: handler)
    }
}

/// First-run setup and sign-in: the only admin pages open without a session.
struct AdminSignInRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let auth = AdminAuthController()
        routes.get(.setup, use: auth.showSetup)
        routes.post(.setup, use: auth.setup)
        routes.get(.login, use: auth.showLogin)
        routes.post(.login, use: auth.login)
        routes.grouped(RequireAdmin()).post(.logout, use: auth.logout)
        routes.grouped(RequireAdmin()).post(.logoutEverywhere, use: auth.logoutEverywhere)
        // The one-time token is the proof here, not a session.
        let link = PasswordLinkController()
        routes.get(.passwordLink(.key), use: link.show)
        routes.post(.passwordLink(.key), use: link.use)
    }
}

/// Admin > Users: who can sign in, and adding, disabling and resetting them.
struct AdminUserRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let users = UsersController()
        routes.get(.users, use: users.index)
        routes.post(.users, use: users.add)
        routes.post(.userReset(.key), use: users.reset)
        routes.post(.userDisable(.key), use: users.disable)
        routes.post(.userEnable(.key), use: users.enable)
    }
}

/// The dashboard and enquiries: list, detail, edit, sync again, call and text.
struct AdminEnquiryRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.dashboard, use: DashboardController.index)
        let enquiries = EnquiriesController()
        routes.get(.enquiries, use: enquiries.index)
        routes.get(.enquiry(.key), use: enquiries.show)
        routes.post(.enquirySync(.key), use: enquiries.syncNow)
        routes.post(.enquiryContactChoice(.key), use: enquiries.chooseContact)
        routes.post(.enquiryUncertainCreate(.key), use: enquiries.resolveUncertainCreate)
        routes.post(.enquiryDifferences(.key), use: SuiteDashDifferencesController().apply)
        let edit = EnquiryEditController()
        routes.get(.enquiryEdit(.key), use: edit.edit)
        routes.post(.enquiry(.key), use: edit.update)
        let phone = EnquiryPhoneController()
        routes.post(.enquiryCall(.key), use: phone.call)
        routes.get(.enquiryRingOut(.key, .key), use: phone.ringOutStatus)
        routes.post(.enquiryRingOutCancel(.key, .key), use: phone.cancelRingOut)
        routes.post(.enquirySMS(.key), use: phone.sendSMS)
    }
}

/// Admin > Forms: the forms websites post to, their fields and websites.
struct AdminFormRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let forms = FormsController()
        routes.get(.forms, use: forms.index)
        routes.get(.formNew, use: forms.new)
        routes.post(.forms, use: forms.create)
        routes.get(.form(.key), use: forms.edit)
        routes.post(.form(.key), use: forms.update)
        routes.post(.formDelete(.key), use: forms.delete)
    }
}

/// Spam: release, mark, delete; and the rules.
struct AdminSpamRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let spam = SpamController()
        routes.post(.enquiryNotSpam(.key), use: spam.notSpam)
        routes.post(.enquiryMarkSpam(.key), use: spam.markSpam)
        routes.post(.enquiryDeleteSpam(.key), use: spam.deleteSpam)
        routes.get(.spam, use: spam.show)
        routes.post(.spamBulk, use: spam.bulk)
        routes.post(.spamRules, use: spam.addRule)
        routes.post(.spamRuleDelete(.key), use: spam.deleteRule)
    }
}

/// What the admin runs the place with: the job queue and the providers' audit log.
struct AdminOperationsRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let integrationLogs = IntegrationLogsController()
        routes.get(.integrationLogs, use: integrationLogs.index)
        routes.get(.integrationLog(.key), use: integrationLogs.show)
        let speedToLead = SpeedToLeadController()
        routes.get(.speedToLead, use: speedToLead.show)
        routes.post(.speedToLead, use: speedToLead.save)
        let email = EmailAdminController()
        routes.get(.email, use: email.show)
        routes.post(.email, use: email.save)
        routes.post(.emailTest, use: email.test)
        routes.get(.emailsCaught, use: email.caught)
        let privacy = PrivacyController()
        routes.get(.privacy, use: privacy.index)
        routes.get(.privacyExport, use: privacy.export)
        routes.post(.privacyErase, use: privacy.erase)
        let jobs = JobsController()
        routes.get(.jobs, use: jobs.index)
        routes.post(.failedJobsRetryAll, use: jobs.retryAll)
        routes.post(.failedJobRetry(.key), use: jobs.retry)
        routes.post(.failedJobDiscard(.key), use: jobs.discardFailed)
        routes.post(.jobDiscard(.key), use: jobs.discardPending)
        let doctor = DoctorController()
        routes.get(.doctor, use: doctor.show)
        routes.post(.doctor, use: doctor.run)
    }
}

/// SuiteDash's settings, connection test, and import mode's exports.
struct SuiteDashAdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let settings = SuiteDashAdminController()
        routes.get(.suiteDash, use: settings.show)
        routes.post(.suiteDash, use: settings.save)
        routes.post(.suiteDashTest, use: settings.test)
        routes.post(.suiteDashSyncPending, use: settings.syncPending)
        let exports = SuiteDashExportsController()
        routes.get(.suiteDashExports, use: exports.index)
        routes.post(.suiteDashExports, use: exports.generate)
        routes.get(.suiteDashExport(.key), use: exports.show)
        routes.get(.suiteDashExportDownload(.key), use: exports.download)
        routes.post(.suiteDashExportDelete(.key), use: exports.delete)
        routes.post(.suiteDashExportMarkSynced(.key), use: exports.markSynced)
    }
}

/// RingCentral's settings, connection, webhook subscription, calls and texts.
struct RingCentralAdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let settings = RingCentralAdminController()
        routes.get(.ringCentral, use: settings.show)
        routes.post(.ringCentral, use: settings.save)
        routes.post(.ringCentralConnect, use: settings.connect)
        routes.post(.ringCentralConnectJWT, use: settings.connectWithJWT)
        routes.post(.ringCentralDisconnect, use: settings.disconnect)
        routes.post(.ringCentralRefresh, use: settings.refresh)
        let activity = RingCentralActivityController()
        routes.post(.ringCentralSubscription, use: activity.createSubscription)
        routes.post(.ringCentralSubscriptionRenew, use: activity.renewSubscription)
        routes.post(.ringCentralSubscriptionDelete, use: activity.deleteSubscription)
        routes.post(.ringCentralOfficePhone, use: activity.saveOfficePhone)
        routes.get(.callLogs, use: activity.callLogs)
        routes.post(.callLogsSync, use: activity.syncCallLogs)
        routes.get(.messages, use: activity.messages)
    }
}
