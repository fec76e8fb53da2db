import Vapor

/// Every CLI command besides Vapor's `serve` and Fluent's `migrate`; the tools target adds `sandbox`.
func registerCommands(_ app: Application) {
    app.asyncCommands.use(KeyCommand(), as: "key")
    app.asyncCommands.use(UserCommand(), as: "user")
    app.asyncCommands.use(WorkerCommand(), as: "worker")
    app.asyncCommands.use(JobsCommand(), as: "jobs")
    app.asyncCommands.use(SuiteDashCommand(), as: "suitedash")
    app.asyncCommands.use(RingCentralCommand(), as: "ringcentral")
    app.asyncCommands.use(PrivacyCommand(), as: "privacy")
    app.asyncCommands.use(DoctorCommand(), as: "doctor")
}
