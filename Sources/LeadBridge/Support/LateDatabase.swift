import Fluent
import Vapor

/// The app's default database for work that can finish after the app has begun shutting down
/// (a provider call's audit line, a token refresh's save). It holds the app's `Databases`,
/// not the app: `app.db` after shutdown stops the whole process, where this answers with
/// an error the work can handle.
struct LateDatabase: Sendable {
    struct ShutDown: Error, CustomStringConvertible {
        var description: String { "The app is shutting down; its database is closed." }
    }

    private let databases: Databases
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup

    init(app: Application) {
        databases = app.databases
        logger = app.logger
        eventLoopGroup = app.eventLoopGroup
    }

    func database() throws -> any Database {
        guard let database = databases.database(logger: logger, on: eventLoopGroup.any()) else { throw ShutDown() }
        return database
    }
}
