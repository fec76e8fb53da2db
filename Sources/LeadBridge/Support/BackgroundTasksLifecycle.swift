import Vapor

/// At shutdown, audit lines still being written are finished before the databases close, and
/// the RingCentral budget's own connection is closed, and the enquiry writer's waiting search
/// step is called off (a connection opened while the pool closes would be left open).
struct BackgroundTasksLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        await application.services.ringCentral.pendingLogs.drain()
        await application.services.ringCentral.budget?.close()
        await application.services.enquiryWriter.stopIndexing()
    }
}
