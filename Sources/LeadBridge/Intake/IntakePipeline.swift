import Vapor

/// The one path every enquiry takes, whether it came from the HTML form or the JSON API:
/// rate limit, honeypot, rules, then a committed row.
struct IntakePipeline {
    enum Outcome {
        case rateLimited(retryAfter: Int)
        /// The honeypot was filled: a bot. Answered like success; kept in Spam when it was an enquiry at all.
        case discarded
        case invalid(FieldErrors)
        case accepted(id: Int)
    }

    let request: Request

    /// Counts the attempt against the caller's IP before anything is read.
    func admit() async -> Outcome? {
        guard let limiter = request.services.intakeLimiter else { return nil }
        let ip = ClientAddress.limitKey(request.clientIP(config: request.services.config))
        let decision = await limiter.hit(ip, now: request.services.clock.now())
        return decision.allowed ? nil : .rateLimited(retryAfter: decision.retryAfter)
    }

    /// `form`: the form it came through; the contact page's when nil.
    func receive(_ input: ContactInput, form given: WebForm? = nil) async throws -> Outcome {
        let honeypot = input.website.map { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? false
        let form: WebForm
        if let given { form = given } else { form = try await request.services.intakeLookups.contactForm(on: request.db) }
        let services = request.services
        var validator = EnquiryValidator(settings: services.config.intake)
        // The words the visitor saw beside the texting box: read only when it was ticked.
        if input.smsConsent, input.smsConsentText == nil {
            validator.smsConsentText = try await services.speedToLead.smsConsentWords(on: request.db)
        }
        switch validator.validate(input, fields: form.fields) {
        case .invalid(let errors):
            // A bot's junk in the honeypot that is not even an enquiry: answered like success.
            if honeypot { return .discarded }
            return .invalid(errors)
        case .valid(var enquiry):
            enquiry.formID = form.id
            let now = services.clock.now()
            let judge = SpamJudge(minSeconds: services.config.intake.formMinSeconds,
                                  rules: try await services.intakeLookups.spamRules(on: request.db))
            let ip = request.clientIP(config: services.config)
            enquiry.spamReason = judge.reason(for: enquiry, .init(
                honeypot: input.website, timestamp: FormTimestamp.read(input.formTimestamp, secrets: services.secrets),
                ip: ip, now: now))
            if enquiry.spamReason == nil, let captcha = form.captcha {
                enquiry.spamReason = await Self.captchaReason(captcha, token: input.captchaToken, ip: ip, now: now,
                                                              hosts: Self.captchaHosts(form, config: services.config), services: services)
            }
            if enquiry.spamReason != nil { request.logger.info("Kept an enquiry as spam", metadata: ["reason": .string(enquiry.spamReason!)]) }
            let origin = EnquiryIntake.Origin(ip: ip, userAgent: request.headers.first(name: .userAgent),
                                              forwardedBy: request.untrustedForwarder(config: services.config))
            let id = try await EnquiryIntake(writer: services.enquiryWriter).record(enquiry, origin: origin, now: now)
            // Kept for review in Spam; the bot is told nothing it can learn from.
            return honeypot ? .discarded : .accepted(id: id)
        }
    }

    /// Why the form's captcha makes this enquiry spam, or nil when it passed. Asked only of an
    /// enquiry nothing else judged spam, so a bot's flood spends none of the provider's checks.
    private static func captchaReason(_ captcha: (provider: CaptchaProvider, siteKey: String, sealedSecret: String),
                                      token: String?, ip: String?, now: Date, hosts: Set<String>, services: AppServices) async -> String? {
        guard let token, !token.isEmpty else { return CaptchaVerifier.missingReason(captcha.provider) }
        guard let secret = try? services.secrets.open(captcha.sealedSecret, context: WebForm.captchaSecretContext) else {
            return CaptchaVerifier.spamReason(.notChecked("the form's secret key could not be opened with APP_KEY; enter it again in Admin > Forms"),
                                              provider: captcha.provider)
        }
        // `remoteip` only when there is one ("unknown" behind a socket without a peer address).
        let remoteIP = ip.flatMap { IPAddress($0) == nil ? nil : $0 }
        let verdict = await services.captcha.verify(captcha.provider, secret: secret, token: token, remoteIP: remoteIP, now: now,
                                                    siteKey: captcha.siteKey, expectedHosts: hosts)
        return CaptchaVerifier.spamReason(verdict, provider: captcha.provider)
    }

    /// Where a form's widget is solved: its websites (through embed.js), LeadBridge's own host
    /// (the hosted form, framed or not, and the contact page), and the sites allowed to post
    /// JSON (`CORS_ALLOWED_ORIGINS`: a headless site's page shows the widget and its server
    /// posts `captcha_token`).
    static func captchaHosts(_ form: WebForm, config: AppConfig) -> Set<String> {
        Set((FormOrigins.allowed(for: form, appURL: config.appURL) + config.intake.corsAllowedOrigins)
            .compactMap { URL(string: $0)?.host?.lowercased() })
    }

}
