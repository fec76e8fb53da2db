import Vapor

/// At shutdown, audit lines still being written are finished before the databases close, and
/// the RingCentral budget's own connection is closed.
struct BackgroundTasksLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        await application.services.ringCentral.pendingLogs.drain()
        await application.services.ringCentral.budget?.close()
    }
}
