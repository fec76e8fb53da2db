import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import Vapor

/// Builds the whole app, top to bottom: configuration, database, sessions, views,
/// middleware, routes and commands. Tests call it with a configuration of their own.
public func configure(_ app: Application, config: AppConfig? = nil, clock: AppClock = .system) async throws {
    // `key generate` is what a missing APP_KEY tells you to run, so it must work without one;
    // the tools' commands (the sandbox) stand in for other services and need nothing of this app.
    if app.runsStandaloneCommand {
        app.asyncCommands.use(KeyCommand(includesRotate: false), as: "key")
        return
    }
    let config = try config ?? AppConfig.load()
    if !config.isDemo, FileManager.default.fileExists(atPath: config.storagePath + "/" + AppConfig.demoMarkerName) {
        throw ConfigurationError.invalid("STORAGE_PATH (\(config.storagePath)) is a folder `leadbridge demo` made: its data is made up and its admin's password was printed in a terminal. Point STORAGE_PATH at another folder, or run `leadbridge demo --storage \(config.storagePath)` to open the demo again.")
    }
    try ProviderHost.checkEnvironment(config, app.environment)
    let secrets = try AppKeyLoader.secretBox(config: config, isProduction: app.environment == .production,
                                             logger: app.logger)

    // SQLite's calls block a thread of this pool, and sqlite-nio's busy handler spins there while
    // another connection holds the write lock. NIO's process-wide pool (one thread per core)
    // was shared by every app in the test process, so waiting writers of one app could leave
    // another app's lock holder no thread to commit on, and the suite stalled. Each app gets
    // a pool of its own, of the same size: more threads measured worse at p99 in
    // scripts/bench/intake.sh, for no gain one app can use.
    app.threadPool = NIOThreadPool(numberOfThreads: System.coreCount)

    try await configureDatabase(app, config: config)
    app.migrations.add(AppMigrations.all)

    app.passwords.use(.bcrypt(cost: config.passwordHashCost ?? (app.environment == .testing ? 4 : 12)))
    // bcrypt off the pool above: a sign-in flood must not take SQLite's threads (see PasswordHashing).
    let passwordHashing = PasswordHashing(hasher: config.passwordHasher ?? app.password.sync, ceiling: config.passwordCheckCeiling)
    app.lifecycle.use(PasswordHashingLifecycle(hashing: passwordHashing))
    let jobQueue = JobQueue(backoff: Backoff(base: config.queue.backoffBaseSeconds, cap: config.queue.backoffCapSeconds),
                            now: clock.now, wakeup: JobWakeup())
    // Provider calls carry keys in headers (SuiteDash's X-Secret-Key) and secrets in bodies
    // (a refresh token, an SMS): a redirect would carry them to whatever host it names, and
    // AsyncHTTPClient strips only Authorization and Cookie on the way. Providers' answers are
    // never redirects, so none is followed; the clients say so in words when one comes.
    app.http.client.configuration.redirectConfiguration = .disallow
    let integrations = IntegrationContext(app: app, config: config, secrets: secrets, jobQueue: jobQueue, clock: clock)
    let suiteDash = SuiteDashService(context: integrations)
    let speedToLead = SpeedToLeadService(context: integrations)
    let email = EmailService(context: integrations)
    app.services = AppServices(
        config: config,
        clock: clock,
        secrets: secrets,
        enquiryWriter: EnquiryWriter(database: integrations.database, followUps: NewEnquiryFollowUps(suiteDash: suiteDash, speedToLead: speedToLead, email: email, clock: clock),
                                     indexesSearch: config.databaseURL == nil),
        jobQueue: jobQueue,
        intakeLimiter: config.intake.rateLimit.map {
            RateLimiter(limit: $0, windowSeconds: config.intake.rateLimitWindowSeconds)
        },
        loginIPLimiter: RateLimiter(limit: config.loginThrottle.maxFailuresPerIP,
                                    windowSeconds: config.loginThrottle.lockSeconds),
        webhookLimiter: RateLimiter(limit: config.ringCentral.webhookRateLimit, windowSeconds: 60),
        decoyPasswordHash: DecoyPasswordHash(),
        passwordHashing: passwordHashing,
        signInChecks: SignInChecks(),
        suiteDash: suiteDash,
        ringCentral: RingCentralService(context: integrations),
        speedToLead: speedToLead,
        email: email,
        captcha: CaptchaVerifier(client: app.http.client.shared, settings: config.intake.captcha,
                                 ledger: CaptchaTokenLedger(), logger: app.logger)
    )

    app.sessions.use { _ in
        DatabaseSessionDriver(lifetime: 12 * 60 * 60, absoluteLifetime: TimeInterval(config.sessionMaxAgeHours) * 3600, clock: clock)
    }
    // Under https the `__Host-` prefix: browsers take it only from this host, over https, for
    // the whole site, so a sibling subdomain cannot plant or overwrite it.
    app.sessions.configuration = SessionsConfiguration(cookieName: config.usesHTTPS ? "__Host-leadbridge_session" : "leadbridge_session") { id in
        HTTPCookies.Value(string: id.string, path: config.usesHTTPS ? "/" : AdminURL.root, isSecure: config.usesHTTPS,
                          isHTTPOnly: true, sameSite: .lax)
    }

    app.views.use(.blankAwareLeaf)
    app.leaf.cache.isEnabled = app.environment.isRelease
    app.leaf.tags["adminURL"] = AdminURLTag()

    AppMetrics.bootstrap()
    app.middleware = Middlewares()
    // Outermost, so it sees every header any other layer (errors, sessions, CSRF) added.
    app.middleware.use(ResponseHeaderGuard())
    app.middleware.use(HTTPMetricsMiddleware())
    app.middleware.use(SecurityHeadersMiddleware(usesHTTPS: config.usesHTTPS))
    app.middleware.use(AppErrorMiddleware())
    app.middleware.use(StaticFilesMiddleware(publicDirectory: app.directory.publicDirectory))
    app.routes.defaultMaxBodySize = ByteCount(value: config.intake.maxBodyBytes)

    app.http.server.configuration.hostname = config.hostname
    app.http.server.configuration.port = config.port

    JobKinds.register(in: app)
    // Handlers shut down in reverse order: the HTTP server and the workers stop first, then
    // the audit lines their last calls started are finished, then the databases close.
    app.lifecycle.use(BackgroundTasksLifecycle())
    app.lifecycle.use(SetupCodeAnnouncer())
    app.lifecycle.use(InProcessWorkers())

    try routes(app)
    registerCommands(app)
    if config.metricsToken == nil, MetricsController.requiresToken(app), app.isServing {
        app.logger.warning("/metrics is off: set METRICS_TOKEN to serve it (in production it is never open without one).")
    }

    if config.databaseURL != nil, app.isServing {
        app.logger.info("\(PerProcessLimits.sentence(config))")
    }

    if config.autoMigrate, app.isServing {
        try await app.autoMigrate()
    }
}

/// On PostgreSQL several servers may answer: which limits each process keeps for itself.
enum PerProcessLimits {
    static func sentence(_ config: AppConfig) -> String {
        var limits: [String] = []
        if let intake = config.intake.rateLimit { limits.append("\(intake) enquiries per address (INTAKE_RATE_LIMIT)") }
        limits.append("\(config.loginThrottle.maxFailuresPerIP) failed sign-ins per address")
        limits.append("\(config.ringCentral.webhookRateLimit) webhook requests per address a minute (RINGCENTRAL_WEBHOOK_RATE_LIMIT)")
        return "Kept by this process alone, so N servers allow N times each: " + limits.joined(separator: "; ")
            + ". Shared by every server through the database: sign-in limits per account, the SuiteDash sync ceiling and budget, RingCentral's rate limits."
    }
}

private func configureDatabase(_ app: Application, config: AppConfig) async throws {
    if let url = config.databaseURL {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw ConfigurationError.invalid("DATABASE_URL must start with postgres://; leave it unset to use the embedded SQLite file.")
        }
        // Fluent waits 10 s for a pooled connection by default: a burst of writers waiting on a
        // table lock (two people submitting the setup form while the queue writes) timed out on a
        // busy machine. The pool keeps Fluent's size (one per event loop); the wait is 30 s.
        app.databases.use(.postgres(configuration: try SQLPostgresConfiguration(url: url),
                                    connectionPoolTimeout: .seconds(30)), as: .psql)
        try StoragePermissions.secureFolder(config)
        return
    }
    try StoragePermissions.secure(config)
    app.databases.use(.sqlite(.file(config.sqlitePath)), as: .sqlite)
    // WAL lets readers (the admin, /readyz) carry on while an enquiry is being written.
    // It is a property of the file, so setting it once here covers every connection.
    if let sql = app.db as? any SQLDatabase {
        try await sql.raw("PRAGMA journal_mode=WAL").run()
    }
    // SQLite makes -wal and -shm with the database file's permissions; these catch older installs.
    StoragePermissions.secureDatabaseFiles(config)
}

extension Application {
    /// The command this process was started with; nil for the default (`serve`).
    var commandName: String? {
        guard environment != .testing, let first = environment.arguments.dropFirst().first,
              !first.hasPrefix("-") else { return nil }
        return first
    }

    /// True when this process will run `serve` (named, or implied as the default command), and
    /// not just print its help (`leadbridge --help` must not start workers that run jobs).
    var isServing: Bool {
        let asksForHelp = environment.arguments.dropFirst().contains { $0 == "--help" || $0 == "-h" }
        return environment != .testing && !asksForHelp && (commandName == nil || commandName == "serve")
    }
}
