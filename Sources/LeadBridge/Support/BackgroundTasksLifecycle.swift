import Vapor

/// At shutdown, audit lines still being written are finished before the databases close.
struct BackgroundTasksLifecycle: LifecycleHandler {
    func shutdownAsync(_ application: Application) async {
        await application.services.ringCentral.pendingLogs.drain()
    }
}
