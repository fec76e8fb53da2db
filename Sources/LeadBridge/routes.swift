import Vapor

/// Every route, grouped by area.
func routes(_ app: Application) throws {
    let config = app.services.config

    // Operations
    app.get("healthz", use: HealthController.live)
    app.get("readyz", use: HealthController.ready)
    app.get("metrics", use: MetricsController.show)

    // Public site: pages and the contact form (browser forms carry CSRF tokens).
    let site = app.grouped(CSRFMiddleware(secureCookies: config.usesHTTPS))
    site.get(use: HomeController.index)
    let contactForm = ContactFormController()
    site.get("contact", use: contactForm.show)
    site.post("contact", use: contactForm.submit)
    site.get("contact", "thanks", use: contactForm.thanks)

    // JSON intake for headless sites.
    let api = app.grouped("api")
    let contactAPI = ContactAPIController()
    let cors = config.intake.corsAllowedOrigins.isEmpty ? nil : CORSMiddleware(configuration: .init(
        allowedOrigin: .any(config.intake.corsAllowedOrigins),
        allowedMethods: [.POST, .OPTIONS],
        allowedHeaders: [.accept, .contentType, .origin]
    ))
    let intake = cors.map { api.grouped($0) } ?? api
    intake.post("contact", use: contactAPI.create)
    if cors != nil { intake.on(.OPTIONS, "contact") { _ in Response(status: .noContent) } }

    // RingCentral's notifications: verified by token, never by session or CSRF.
    let webhooks = RingCentralWebhookController()
    app.on(.POST, "api", "webhooks", "ringcentral", body: .collect(maxSize: ByteCount(value: RingCentralWebhookController.maxBodyBytes)),
           use: webhooks.receive)

    // Admin: sessions and CSRF on everything; RequireAdmin on everything but sign-in.
    let admin = app.grouped("admin")
        .grouped(app.sessions.middleware, User.sessionAuthenticator(), CSRFMiddleware(secureCookies: config.usesHTTPS))
    let auth = AdminAuthController()
    admin.get("setup", use: auth.showSetup)
    admin.post("setup", use: auth.setup)
    admin.get("login", use: auth.showLogin)
    admin.post("login", use: auth.login)

    let signedIn = admin.grouped(RequireAdmin())
    signedIn.post("logout", use: auth.logout)
    signedIn.get(use: DashboardController.index)
    let submissions = SubmissionsController()
    signedIn.get("submissions", use: submissions.index)
    signedIn.get("submissions", ":id", use: submissions.show)
    let suiteDash = SuiteDashAdminController()
    signedIn.get("integrations", "suitedash", use: suiteDash.show)
    signedIn.post("integrations", "suitedash", use: suiteDash.save)
    signedIn.post("integrations", "suitedash", "test", use: suiteDash.test)
    signedIn.post("integrations", "suitedash", "sync-pending", use: suiteDash.syncPending)
    let exports = SuiteDashExportsController()
    signedIn.get("integrations", "suitedash", "exports", use: exports.index)
    signedIn.post("integrations", "suitedash", "exports", use: exports.generate)
    signedIn.get("integrations", "suitedash", "exports", ":id", use: exports.show)
    signedIn.get("integrations", "suitedash", "exports", ":id", "download", use: exports.download)
    signedIn.post("integrations", "suitedash", "exports", ":id", "delete", use: exports.delete)
    signedIn.post("integrations", "suitedash", "exports", ":id", "mark-synced", use: exports.markSynced)
    let ringCentral = RingCentralAdminController()
    signedIn.get("integrations", "ringcentral", use: ringCentral.show)
    signedIn.post("integrations", "ringcentral", use: ringCentral.save)
    signedIn.post("integrations", "ringcentral", "connect", use: ringCentral.connect)
    signedIn.post("integrations", "ringcentral", "disconnect", use: ringCentral.disconnect)
    signedIn.post("integrations", "ringcentral", "refresh", use: ringCentral.refresh)
    // RingCentral sends the browser back here; the state (bound to this browser by a cookie) is the proof.
    app.get("api", "integrations", "ringcentral", "callback", use: ringCentral.callback)
    let integrationLogs = IntegrationLogsController()
    signedIn.get("integration-logs", use: integrationLogs.index)
    signedIn.get("integration-logs", ":id", use: integrationLogs.show)
    signedIn.post("submissions", ":id", "sync", use: submissions.syncNow)
    let submissionEdit = SubmissionEditController()
    signedIn.get("submissions", ":id", "edit", use: submissionEdit.edit)
    signedIn.post("submissions", ":id", use: submissionEdit.update)
    let activity = RingCentralActivityController()
    signedIn.get("call-logs", use: activity.callLogs)
    signedIn.post("call-logs", "sync", use: activity.syncCallLogs)
    signedIn.get("messages", use: activity.messages)
    signedIn.post("integrations", "ringcentral", "subscription", use: activity.createSubscription)
    signedIn.post("integrations", "ringcentral", "subscription", "renew", use: activity.renewSubscription)
    signedIn.post("integrations", "ringcentral", "subscription", "delete", use: activity.deleteSubscription)
    signedIn.post("integrations", "ringcentral", "my-phone", use: activity.saveOfficePhone)
    let phone = EnquiryPhoneController()
    signedIn.post("submissions", ":id", "call", use: phone.call)
    signedIn.get("submissions", ":id", "ringout", ":ringout", use: phone.ringOutStatus)
    signedIn.post("submissions", ":id", "ringout", ":ringout", "cancel", use: phone.cancelRingOut)
    signedIn.post("submissions", ":id", "sms", use: phone.sendSMS)
    let jobs = JobsController()
    signedIn.get("jobs", use: jobs.index)
    signedIn.post("jobs", "failed", "retry-all", use: jobs.retryAll)
    signedIn.post("jobs", "failed", ":id", "retry", use: jobs.retry)
    signedIn.post("jobs", "failed", ":id", "discard", use: jobs.discardFailed)
    signedIn.post("jobs", ":id", "discard", use: jobs.discardPending)
}
