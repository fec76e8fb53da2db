import AsyncHTTPClient
import Fluent
import Logging
import Vapor

/// What an integration needs of the app, captured once at start-up: the integrations are
/// built from this instead of from `Application`, so none of them reaches into the app.
final class IntegrationContext: Sendable {
    let config: AppConfig
    let clock: AppClock
    let secrets: SecretBox
    /// The app's database; after shutdown it answers with an error instead of stopping the process.
    let database: LateDatabase
    let httpClient: HTTPClient
    let jobQueue: JobQueue
    let logger: Logger
    /// For connections an integration opens itself (the RingCentral budget's).
    let eventLoop: any EventLoop
    /// Every provider call's audit line goes here.
    let logs: IntegrationLogWriter

    init(app: Application, config: AppConfig, secrets: SecretBox, jobQueue: JobQueue, clock: AppClock) {
        self.config = config
        self.clock = clock
        self.secrets = secrets
        database = LateDatabase(app: app)
        httpClient = app.http.client.shared
        self.jobQueue = jobQueue
        logger = app.logger
        eventLoop = app.eventLoopGroup.any()
        logs = IntegrationLogWriter(database: database)
    }

    /// The default database, for work that is not inside a caller's transaction.
    var db: any Database {
        get throws { try database.database() }
    }
}
