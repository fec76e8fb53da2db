import Vapor

/// Every job kind and recurring task the app knows. A new kind is registered here.
enum JobKinds {
    static func register(in app: Application) {
        app.jobKinds.register(NoopJob())
        app.jobKinds.register(SyncEnquiryToSuiteDash(sync: app.services.suiteDash.enquirySync))
        app.jobKinds.register(SyncRingCentralCallLogs())
        app.jobKinds.register(RefreshSMSStatus())
        app.jobKinds.register(MaintainRingCentralSubscription())
        app.jobKinds.register(Housekeeping())
        app.jobKinds.register(RetentionSweep())
        app.jobKinds.register(SendAutomaticText())
        app.recurringTasks.add(SyncRingCentralCallLogs.recurringTask())
        app.recurringTasks.add(MaintainRingCentralSubscription.recurringTask())
        app.recurringTasks.add(Housekeeping.recurringTask())
        app.recurringTasks.add(RetentionSweep.recurringTask())
    }
}
