import Vapor

/// The one path every enquiry takes, whether it came from the HTML form or the JSON API:
/// rate limit, honeypot, rules, then a committed row.
struct IntakePipeline {
    enum Outcome {
        case rateLimited(retryAfter: Int)
        /// The honeypot was filled: a bot. Answered like success, nothing stored.
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

    func receive(_ input: ContactInput) async throws -> Outcome {
        if let website = input.website, !website.trimmingCharacters(in: .whitespaces).isEmpty {
            request.logger.info("Discarded an enquiry whose honeypot field was filled")
            return .discarded
        }
        switch EnquiryValidator(settings: request.services.config.intake).validate(input) {
        case .invalid(let errors):
            return .invalid(errors)
        case .valid(let enquiry):
            let origin = EnquiryIntake.Origin(
                ip: request.clientIP(config: request.services.config),
                userAgent: request.headers.first(name: .userAgent))
            let id = try await EnquiryIntake(writer: request.services.enquiryWriter).record(enquiry, origin: origin, now: request.services.clock.now())
            return .accepted(id: id)
        }
    }
}
