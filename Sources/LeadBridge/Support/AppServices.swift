import Vapor

/// What configure() builds once and every request shares. A class: every `req.services`
/// hands out the one instance instead of copying a dozen fields, the configuration among them.
final class AppServices: Sendable {
    let config: AppConfig
    /// The time, whenever the time decides what happens.
    let clock: AppClock
    let secrets: SecretBox
    /// Every new enquiry is committed through here, in groups.
    let enquiryWriter: EnquiryWriter
    let jobQueue: JobQueue
    let intakeLimiter: RateLimiter?
    let loginIPLimiter: RateLimiter
    /// RingCentral's webhook endpoint, per address a minute.
    let webhookLimiter: RateLimiter
    let decoyPasswordHash: DecoyPasswordHash
    /// bcrypt's own threads and the ceiling on checks waiting for them.
    let passwordHashing: PasswordHashing
    /// How many sign-ins reached a real password check (the throttle's evidence).
    let signInChecks: SignInChecks
    /// Each integration, built once; controllers, jobs and commands reach them here.
    let suiteDash: SuiteDashService
    /// Holds the process's one RingCentral rate limiter and token manager.
    let ringCentral: RingCentralService
    /// Staff alerts, instant replies and missed-call texts.
    let speedToLead: SpeedToLeadService
    /// Staff emails, acknowledgements and the digest, through the one SMTP client.
    let email: EmailService
    /// Turnstile and hCaptcha answers, checked with their provider.
    let captcha: CaptchaVerifier
    /// The forms and spam rules intake checks against, read at most once a second.
    let intakeLookups: IntakeLookups

    init(config: AppConfig,
         clock: AppClock,
         secrets: SecretBox,
         enquiryWriter: EnquiryWriter,
         jobQueue: JobQueue,
         intakeLimiter: RateLimiter?,
         loginIPLimiter: RateLimiter,
         webhookLimiter: RateLimiter,
         decoyPasswordHash: DecoyPasswordHash,
         passwordHashing: PasswordHashing,
         signInChecks: SignInChecks,
         suiteDash: SuiteDashService,
         ringCentral: RingCentralService,
         speedToLead: SpeedToLeadService,
         email: EmailService,
         captcha: CaptchaVerifier,
         intakeLookups: IntakeLookups = IntakeLookups()) {
        self.config = config
        self.clock = clock
        self.secrets = secrets
        self.enquiryWriter = enquiryWriter
        self.jobQueue = jobQueue
        self.intakeLimiter = intakeLimiter
        self.loginIPLimiter = loginIPLimiter
        self.webhookLimiter = webhookLimiter
        self.decoyPasswordHash = decoyPasswordHash
        self.passwordHashing = passwordHashing
        self.signInChecks = signInChecks
        self.suiteDash = suiteDash
        self.ringCentral = ringCentral
        self.speedToLead = speedToLead
        self.email = email
        self.captcha = captcha
        self.intakeLookups = intakeLookups
    }
}

extension Application {
    private struct ServicesKey: StorageKey { typealias Value = AppServices }

    var services: AppServices {
        get {
            guard let services = storage[ServicesKey.self] else {
                fatalError("configure(_:) must run before the app's services are used.")
            }
            return services
        }
        set { storage[ServicesKey.self] = newValue }
    }
}

extension Request {
    var services: AppServices { application.services }
}
