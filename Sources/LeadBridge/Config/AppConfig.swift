import Foundation
import Vapor

/// Everything the app reads from its environment, parsed once at start-up.
///
/// Tests build one by hand (`AppConfig.load(from:)` with a dictionary) so each
/// test owns its configuration instead of sharing the process environment.
public struct AppConfig: Sendable {
    public var appURL: String
    public var hostname: String
    public var port: Int
    /// `postgres://…` switches to PostgreSQL; nil means the embedded SQLite file.
    public var databaseURL: String?
    public var storagePath: String
    /// Whether `serve` applies pending migrations before it listens.
    public var autoMigrate: Bool
    /// Raw `APP_KEY` / `APP_PREVIOUS_KEYS`; resolved into keys by `AppKeyLoader`.
    public var appKey: String?
    public var previousAppKeys: [String]
    public var intake: IntakeSettings
    public var loginThrottle: LoginThrottleSettings
    public var trustProxyHeaders: Bool
    /// How many proxies of your own append to `X-Forwarded-For`: the client's address is the
    /// entry that many places from the right (the rightmost is what the nearest proxy saw).
    /// Not used when `trustedProxies` names them.
    public var trustedProxyHops: Int
    /// `TRUSTED_PROXIES`: the blocks your proxies' addresses are in. When set, forwarded
    /// headers count only from a peer in them, and the client is the first address from the
    /// right of `X-Forwarded-For` that is not in them.
    var trustedProxies: [CIDR]
    /// `ALLOW_PRIVATE_PROVIDER_HOSTS`: in production, a provider on this machine or a private
    /// network is refused unless this is set (`ProviderHost`).
    public var allowPrivateProviderHosts: Bool
    /// Whether provider addresses on this machine or private networks are refused; nil: in
    /// production only (tests and demos use a loopback sandbox).
    public var refusesPrivateProviderHosts: Bool?
    /// A session ends this long after sign-in however busy it is (it also ends after 12 idle hours).
    public var sessionMaxAgeHours: Int
    /// Whether first-run setup asks for the code start-up prints; nil: in production only.
    public var setupCodeRequired: Bool?
    /// bcrypt's cost; nil: 12 (4 under tests, where speed matters more than strength).
    public var passwordHashCost: Int?
    /// Most password checks admitted at once, running or waiting for bcrypt's threads; past it
    /// a sign-in is answered 503 at once. nil: 16 per hashing thread (`PasswordHashing`).
    public var passwordCheckCeiling: Int?
    /// The hasher sign-in and the password pages use; nil: bcrypt at `passwordHashCost`. Tests
    /// set one that holds its thread without using the CPU, to see whose thread it holds.
    public var passwordHasher: (any PasswordHasher)?
    public var queue: QueueSettings
    /// Bearer token for `/metrics`; without one only loopback clients may read it, and in
    /// production nobody (a local reverse proxy would make "loopback" mean everyone).
    public var metricsToken: String?
    /// Whether `/metrics` needs the token; nil: in production only.
    public var metricsRequireToken: Bool?
    public var suiteDash: SuiteDashEnvironment
    public var ringCentral: RingCentralEnvironment
    /// `ENQUIRY_RETENTION_DAYS`: enquiries (and calls, texts, log details) older than this many
    /// days are erased by a daily job; nil (0, the default): kept until an admin erases them.
    public var enquiryRetentionDays: Int?
    /// Staff alerts, instant replies and missed-call texts (`LEAD_ALERT_SMS_TO`, `LEAD_AUTO_REPLY_SMS`,
    /// `MISSED_CALL_TEXT_BACK`, `BUSINESS_NAME`, …): the defaults until an admin saves Speed to lead.
    public var speedToLead: SpeedToLeadSettings
    /// The mail server and the staff inbox (`MAIL_*`, `LEAD_ALERT_EMAIL_TO`): the defaults until an admin saves Admin > Email.
    public var mail: MailEnvironment
    /// Set by `leadbridge demo` alone: the one configuration allowed to open a demo's folder.
    public var isDemo = false

    /// The file `leadbridge demo` leaves in a folder it made. Anything else refuses such a
    /// folder: its admin's password was printed in a terminal, and its data is made up.
    public static let demoMarkerName = ".leadbridge-demo"

    /// Where a fresh clone is opened: `localhost`, the host RingCentral accepts in a plain-http redirect URI.
    public static let defaultAppURL = "http://localhost:8000"

    public var sqlitePath: String { storagePath + "/database.sqlite" }
    public var usesHTTPS: Bool { appURL.lowercased().hasPrefix("https://") }

    /// Reads a configuration from key/value pairs (the process environment by default).
    public static func load(from values: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfig {
        let reader = EnvironmentReader(values: values)
        let appURL = reader.string("APP_URL") ?? defaultAppURL
        let trustedProxies = try reader.list("TRUSTED_PROXIES").map { entry in
            guard let block = CIDR(entry) else {
                throw ConfigurationError.invalid("TRUSTED_PROXIES has \"\(entry)\", which is not an address or a block like 10.0.0.0/8 or 2001:db8::/32: list your proxies' addresses, comma-separated.")
            }
            return block
        }
        return AppConfig(
            appURL: appURL,
            hostname: reader.string("HOST") ?? "127.0.0.1",
            port: try reader.int("PORT") ?? 8000,
            databaseURL: reader.string("DATABASE_URL"),
            storagePath: reader.string("STORAGE_PATH") ?? "storage",
            autoMigrate: try reader.bool("AUTO_MIGRATE") ?? true,
            appKey: reader.string("APP_KEY"),
            previousAppKeys: reader.list("APP_PREVIOUS_KEYS"),
            intake: try IntakeSettings(reader),
            loginThrottle: try LoginThrottleSettings(reader),
            // Listing the proxies is the clearer instruction, so it wins over a TRUST_PROXY_HEADERS=false
            // copied from .env.example: their headers are trusted, and nobody else's.
            trustProxyHeaders: try !trustedProxies.isEmpty || reader.bool("TRUST_PROXY_HEADERS") ?? false,
            trustedProxyHops: max(1, try reader.int("TRUSTED_PROXY_HOPS") ?? 1),
            trustedProxies: trustedProxies,
            allowPrivateProviderHosts: try reader.bool("ALLOW_PRIVATE_PROVIDER_HOSTS") ?? false,
            refusesPrivateProviderHosts: nil,
            sessionMaxAgeHours: max(1, try reader.int("SESSION_MAX_AGE_HOURS") ?? 168),
            setupCodeRequired: nil,
            passwordHashCost: nil,
            passwordCheckCeiling: nil,
            passwordHasher: nil,
            queue: try QueueSettings(reader),
            metricsToken: try metricsToken(reader.string("METRICS_TOKEN")),
            metricsRequireToken: nil,
            suiteDash: try SuiteDashEnvironment(reader),
            ringCentral: try RingCentralEnvironment(reader, appURL: appURL),
            enquiryRetentionDays: try reader.int("ENQUIRY_RETENTION_DAYS").flatMap { $0 > 0 ? $0 : nil },
            speedToLead: try SpeedToLeadSettings(reader),
            mail: try MailEnvironment(reader)
        )
    }

    /// Shorter than this, a bearer token could be guessed.
    static let minimumMetricsTokenLength = 16

    private static func metricsToken(_ token: String?) throws -> String? {
        if let token, token.count < minimumMetricsTokenLength {
            throw ConfigurationError.invalid("METRICS_TOKEN is \(token.count) characters; use at least \(minimumMetricsTokenLength) random ones (for example the output of `openssl rand -hex 24`), or leave it unset to keep /metrics closed.")
        }
        return token
    }
}

/// Lead intake rules that a site owner may want to change.
public struct IntakeSettings: Sendable {
    public var serviceInterests: [String]
    /// ISO 3166 alpha-2 country used for phone numbers typed without a `+country` prefix.
    public var defaultCountry: String
    public var consentRequired: Bool
    /// The consent checkbox's label on the contact form, stored with each enquiry that ticks it.
    public var consentText: String
    public var maxBodyBytes: Int
    /// Submissions allowed per client IP per window; nil turns the limit off.
    public var rateLimit: Int?
    public var rateLimitWindowSeconds: Int
    public var corsAllowedOrigins: [String]

    static let defaultConsentText = "You may contact me about this enquiry"

    static let defaultServiceInterests = [
        "Business Strategy", "Operations & Process", "Marketing & Growth",
        "Finance & Funding", "Technology & Digital", "Other",
    ]

    /// `FORM_MIN_SECONDS`: a form sent sooner than this after LeadBridge rendered it (its
    /// signed `_ts`) is kept as spam: people do not fill a form in under 3 seconds. 0: off.
    public var formMinSeconds: Int = 3
    /// `SPAM_RETENTION_DAYS`: spam older than this is erased by a daily job (nil: kept).
    public var spamRetentionDays: Int? = 30
    /// Where Turnstile and hCaptcha are (`TURNSTILE_URL`, `HCAPTCHA_JS_URL`, `HCAPTCHA_API_URL`).
    public var captcha: CaptchaSettings

    init(_ reader: EnvironmentReader) throws {
        let interests = reader.list("CONTACT_SERVICE_INTERESTS")
        serviceInterests = interests.isEmpty ? Self.defaultServiceInterests : interests
        defaultCountry = (reader.string("CONTACT_DEFAULT_COUNTRY") ?? "US").uppercased()
        guard PhoneNumberNormalizer.supports(country: defaultCountry) else {
            throw ConfigurationError.invalid(
                "CONTACT_DEFAULT_COUNTRY=\(defaultCountry) is not a country LeadBridge knows; use one of \(PhoneNumberNormalizer.supportedCountries.joined(separator: ", ")).")
        }
        consentRequired = try reader.bool("CONTACT_CONSENT_REQUIRED") ?? true
        consentText = reader.string("CONTACT_CONSENT_TEXT") ?? Self.defaultConsentText
        maxBodyBytes = try reader.int("CONTACT_MAX_BODY_BYTES") ?? 32 * 1024
        let limit = try reader.int("INTAKE_RATE_LIMIT") ?? 10
        rateLimit = limit > 0 ? limit : nil
        rateLimitWindowSeconds = max(1, try reader.int("INTAKE_RATE_LIMIT_WINDOW") ?? 60)
        corsAllowedOrigins = reader.list("CORS_ALLOWED_ORIGINS")
        formMinSeconds = max(0, try reader.int("FORM_MIN_SECONDS") ?? 3)
        let spamDays = try reader.int("SPAM_RETENTION_DAYS") ?? 30
        spamRetentionDays = spamDays > 0 ? spamDays : nil
        captcha = try CaptchaSettings(reader)
    }
}

public struct LoginThrottleSettings: Sendable {
    /// Sign-ins one address may try for one account per `lockSeconds`; past it, that address
    /// (only) is refused for that account until the window ends.
    public var maxFailuresPerAccount: Int
    /// Sign-ins one address may try, whatever the account, per `lockSeconds`.
    public var maxFailuresPerIP: Int
    public var lockSeconds: Int
    /// Sign-ins one account may see per minute from all addresses together (except the
    /// address of its last good sign-in): slows a guessing botnet, locks nobody out for longer.
    public var maxAttemptsPerAccountPerMinute: Int

    init(_ reader: EnvironmentReader) throws {
        maxFailuresPerAccount = try reader.int("LOGIN_MAX_FAILURES_PER_ACCOUNT") ?? 5
        maxFailuresPerIP = try reader.int("LOGIN_MAX_FAILURES_PER_IP") ?? 20
        lockSeconds = try reader.int("LOGIN_LOCK_SECONDS") ?? 900
        maxAttemptsPerAccountPerMinute = try reader.int("LOGIN_MAX_ATTEMPTS_PER_ACCOUNT_PER_MINUTE") ?? 10
    }
}

/// The background job queue.
public struct QueueSettings: Sendable {
    /// Worker loops `serve` runs in-process; 0 leaves the work to `leadbridge worker`.
    public var workers: Int
    /// How long a claimed job stays reserved without a heartbeat: how soon another worker takes
    /// over the jobs of one that died. A running job's lease is renewed every `heartbeatSeconds`.
    public var leaseSeconds: Double
    /// How often a worker renews the leases of the jobs it holds (a third of the lease).
    public var heartbeatSeconds: Double
    /// Longest a single job may run before it counts as a failed try.
    public var jobTimeoutSeconds: Double
    public var backoffBaseSeconds: Double
    public var backoffCapSeconds: Double
    /// How often an idle worker looks for work.
    public var pollSeconds: Double
    /// Most jobs one worker claims at a time (fewer when jobs are slow).
    public var maxBatch: Int
    /// How long shutdown waits for jobs in hand before releasing them.
    public var shutdownGraceSeconds: Double

    init(_ reader: EnvironmentReader) throws {
        // Most jobs wait on a provider's answer, so several workers keep the queue moving.
        workers = max(0, try reader.int("QUEUE_WORKERS") ?? 8)
        // Short, because a worker killed mid-job holds its jobs until the lease runs out (at 300 s,
        // 12 jobs still waited four minutes after a kill -9); a heartbeat keeps slow jobs leased.
        leaseSeconds = Double(max(10, try reader.int("QUEUE_LEASE_SECONDS") ?? 30))
        heartbeatSeconds = leaseSeconds / 3
        jobTimeoutSeconds = Double(max(1, try reader.int("QUEUE_JOB_TIMEOUT_SECONDS") ?? 120))
        backoffBaseSeconds = Double(max(1, try reader.int("QUEUE_BACKOFF_BASE_SECONDS") ?? 10))
        backoffCapSeconds = Double(max(1, try reader.int("QUEUE_BACKOFF_CAP_SECONDS") ?? 3600))
        pollSeconds = Double(max(10, try reader.int("QUEUE_POLL_MILLISECONDS") ?? 500)) / 1000
        maxBatch = max(1, try reader.int("QUEUE_MAX_BATCH") ?? 50)
        shutdownGraceSeconds = Double(max(0, try reader.int("QUEUE_SHUTDOWN_GRACE_SECONDS") ?? 25))
    }
}

/// The guide's SuiteDash environment variables (`SUITEDASH_*`). `SUITEDASH_API_KEY` is SuiteDash's Public ID.
public struct SuiteDashEnvironment: Sendable {
    public enum Mode: String, Sendable { case api, `import` }
    public var mode: Mode
    /// The guide's placeholder `…/api/v1` is not SuiteDash's real API; the real base is the default.
    public var apiURL: String
    public var publicID: String?
    public var secretKey: String?
    public var exportPath: String
    /// Turns API mode on from the environment alone (automated deployments), until an admin saves a choice.
    public var enabled: Bool
    /// Tags every synced contact gets; one per service interest is added too.
    public var tags: [String]
    /// The plan's monthly API calls, as the admin reads them from their plan; nil: not watched.
    public var monthlyCallLimit: Int?
    /// The ceiling on automatic syncs a minute: a flood of enquiries is stored at once, and
    /// synced no faster than this (0: no ceiling).
    public var syncsPerMinute: Int
    /// The share of the monthly limit kept at its end for an admin's Sync now: automatic
    /// syncs stop there, so spam cannot spend the last calls.
    public var budgetReservePercent: Int
    /// Import mode: start files with a UTF-8 byte order mark (what spreadsheet programs want).
    public var exportBOM: Bool
    /// `SUITEDASH_SYNCS_PER_ADDRESS_PER_DAY` (default 5): automatic syncs the enquiries from one
    /// network address may take in 24 hours; past it they wait for an admin's Sync now, so one
    /// sender cannot spend the month's calls. nil (0): no limit.
    public var syncsPerAddressPerDay: Int?
    /// `SUITEDASH_SYNCS_UNLIMITED_FROM`: blocks whose enquiries the allowance does not count:
    /// a website's own server posting to /api/contact (a WordPress add-on) sends every lead
    /// from one address. This machine and private networks are never counted.
    var syncsUnlimitedFrom: [CIDR]
    /// Import mode: how tags share one cell.
    public var exportTagSeparator: String
    /// Import mode: the time zone of "Created Date".
    public var exportTimeZone: TimeZone
    /// Import mode: export files older than this many days are deleted (0: kept for ever).
    public var exportRetentionDays: Int
    /// Set by `leadbridge demo`: `apiURL` is the only address used, whatever an admin saves,
    /// so nothing typed into the demo's admin can send a request to a real SuiteDash.
    public var apiURLIsFixed = false

    init(_ reader: EnvironmentReader) throws {
        let rawMode = reader.string("SUITEDASH_MODE") ?? "api"
        guard let mode = Mode(rawValue: rawMode.lowercased()) else {
            throw ConfigurationError.invalid("SUITEDASH_MODE must be \"api\" or \"import\", not \"\(rawMode)\".")
        }
        self.mode = mode
        apiURL = reader.string("SUITEDASH_API_URL") ?? "https://app.suitedash.com/secure-api"
        publicID = reader.string("SUITEDASH_API_KEY")
        secretKey = reader.string("SUITEDASH_SECRET_KEY")
        exportPath = reader.string("SUITEDASH_EXPORT_PATH") ?? "storage/app/exports/suitedash"
        enabled = try reader.bool("SUITEDASH_ENABLED") ?? false
        let tags = reader.list("SUITEDASH_TAGS")
        self.tags = tags.isEmpty ? ["website-lead"] : tags
        monthlyCallLimit = try reader.int("SUITEDASH_MONTHLY_CALL_LIMIT").flatMap { $0 > 0 ? $0 : nil }
        syncsPerMinute = max(0, try reader.int("SUITEDASH_SYNCS_PER_MINUTE") ?? 20)
        budgetReservePercent = min(90, max(0, try reader.int("SUITEDASH_BUDGET_RESERVE_PERCENT") ?? 10))
        exportBOM = try reader.bool("SUITEDASH_EXPORT_BOM") ?? false
        let perAddress = try reader.int("SUITEDASH_SYNCS_PER_ADDRESS_PER_DAY") ?? 5
        syncsPerAddressPerDay = perAddress > 0 ? perAddress : nil
        syncsUnlimitedFrom = try reader.list("SUITEDASH_SYNCS_UNLIMITED_FROM").map { entry in
            guard let block = CIDR(entry) else {
                throw ConfigurationError.invalid("SUITEDASH_SYNCS_UNLIMITED_FROM has \"\(entry)\", which is not an address or a block like 203.0.113.7 or 2001:db8::/48: list your website's servers, comma-separated.")
            }
            return block
        }
        exportTagSeparator = reader.values["SUITEDASH_EXPORT_TAG_SEPARATOR"].flatMap { $0.isEmpty ? nil : $0 } ?? ";"
        let zone = reader.string("SUITEDASH_EXPORT_TIMEZONE") ?? "UTC"
        guard let timeZone = TimeZone(identifier: zone) else {
            throw ConfigurationError.invalid("SUITEDASH_EXPORT_TIMEZONE=\(zone) is not a time zone; use a name like Europe/London or UTC.")
        }
        exportTimeZone = timeZone
        exportRetentionDays = max(0, try reader.int("SUITEDASH_EXPORT_RETENTION_DAYS") ?? 30)
    }
}

/// The guide's RingCentral environment variables (`RINGCENTRAL_*`).
public struct RingCentralEnvironment: Sendable {
    public var clientID: String?
    public var clientSecret: String?
    public var serverURL: String
    public var redirectURI: String
    public var webhookSecret: String?
    /// Notifications whose `timestamp` is further than this from now are refused.
    public var webhookMaxAgeSeconds: Int
    /// Requests a minute the webhook endpoint takes from one address.
    public var webhookRateLimit: Int
    /// A JWT credential to connect (and sign in again) with, when the admin saved none.
    public var jwt: String?
    /// Set by `leadbridge demo`: `serverURL` is the only address used, whatever an admin saves.
    public var serverURLIsFixed = false

    /// Without `RINGCENTRAL_REDIRECT_URI` the callback is on `APP_URL`: the one address people
    /// open the admin on, so the browser RingCentral sends back still holds its sign-in cookies.
    /// Shorter than this, a webhook secret could be guessed.
    static let minimumWebhookSecretLength = 16

    init(_ reader: EnvironmentReader, appURL: String) throws {
        clientID = reader.string("RINGCENTRAL_CLIENT_ID")
        clientSecret = reader.string("RINGCENTRAL_CLIENT_SECRET")
        serverURL = reader.string("RINGCENTRAL_SERVER_URL") ?? "https://platform.ringcentral.com"
        redirectURI = reader.string("RINGCENTRAL_REDIRECT_URI")
            ?? (appURL.hasSuffix("/") ? String(appURL.dropLast()) : appURL) + "/api/integrations/ringcentral/callback"
        webhookSecret = reader.string("RINGCENTRAL_WEBHOOK_SECRET")
        if let secret = webhookSecret, secret.count < Self.minimumWebhookSecretLength {
            throw ConfigurationError.invalid("RINGCENTRAL_WEBHOOK_SECRET is \(secret.count) characters; use at least \(Self.minimumWebhookSecretLength) random ones (for example the output of `openssl rand -hex 24`), or leave it unset and LeadBridge makes one.")
        }
        webhookMaxAgeSeconds = max(30, try reader.int("RINGCENTRAL_WEBHOOK_MAX_AGE_SECONDS") ?? 900)
        webhookRateLimit = max(1, try reader.int("RINGCENTRAL_WEBHOOK_RATE_LIMIT") ?? 300)
        jwt = reader.string("RINGCENTRAL_JWT")
    }
}

public enum ConfigurationError: Error, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self { case .invalid(let sentence): return sentence }
    }
}
