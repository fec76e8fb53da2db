import Vapor

/// At shutdown, audit lines still being written are finished before the databases close, and
/// the RingCentral budget's own connection is closed, and the enquiry writer's last commit or
/// search-index step has ended.
struct BackgroundTasksLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        await application.services.ringCentral.pendingLogs.drain()
        await application.services.ringCentral.budget?.close()
        await application.services.enquiryWriter.untilIdle()
    }
}
