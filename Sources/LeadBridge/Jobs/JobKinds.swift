import Vapor

/// Every job kind and recurring task the app knows. A new kind is registered here, and is
/// handed what it uses here: the services built once in `configure`, and the settings it reads.
enum JobKinds {
    static func register(in app: Application) {
        let services = app.services
        let config = services.config
        app.jobKinds.register(NoopJob())
        app.jobKinds.register(SyncEnquiryToSuiteDash(sync: services.suiteDash.enquirySync))
        app.jobKinds.register(SyncRingCentralCallLogs(callLog: services.ringCentral.callLog, clock: services.clock))
        app.jobKinds.register(RefreshSMSStatus(ringCentral: services.ringCentral, doNotText: services.speedToLead.doNotText,
                                               clock: services.clock))
        app.jobKinds.register(MaintainRingCentralSubscription(subscriptions: services.ringCentral.subscriptions, clock: services.clock))
        app.jobKinds.register(Housekeeping(suiteDash: services.suiteDash, jobQueue: services.jobQueue, clock: services.clock,
                                           exportRetentionDays: config.suiteDash.exportRetentionDays,
                                           budgetReservePercent: config.suiteDash.budgetReservePercent))
        app.jobKinds.register(RetentionSweep(retentionDays: config.enquiryRetentionDays, exportsFolder: config.suiteDash.exportPath,
                                             jobQueue: services.jobQueue, clock: services.clock))
        app.jobKinds.register(SendAutomaticText(speedToLead: services.speedToLead, ringCentral: services.ringCentral,
                                                jobQueue: services.jobQueue, secrets: services.secrets, clock: services.clock,
                                                appURL: config.appURL, intakeRateLimit: config.intake.rateLimit,
                                                jobTimeoutSeconds: config.queue.jobTimeoutSeconds))
        app.jobKinds.register(SendEmail(email: services.email, speedToLead: services.speedToLead, secrets: services.secrets,
                                        clock: services.clock, appURL: config.appURL, jobTimeoutSeconds: config.queue.jobTimeoutSeconds,
                                        summaryWindow: TimeInterval(config.mail.summarySeconds)))
        app.recurringTasks.add(SyncRingCentralCallLogs.recurringTask())
        app.recurringTasks.add(MaintainRingCentralSubscription.recurringTask())
        app.recurringTasks.add(Housekeeping.recurringTask())
        app.recurringTasks.add(RetentionSweep.recurringTask())
        app.jobKinds.register(SpamSweep(retentionDays: config.intake.spamRetentionDays, clock: services.clock))
        app.recurringTasks.add(SpamSweep.recurringTask())
        app.recurringTasks.add(SendEmail.digestTask(email: services.email, clock: services.clock))
        if config.databaseURL == nil { app.recurringTasks.add(EnquirySearchBacklog.recurringTask()) }
    }
}
