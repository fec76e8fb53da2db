import Vapor

/// Health, readiness and metrics: for the operator's probes, not for people.
struct OperationsRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz", use: HealthController.live)
        routes.get("readyz", use: HealthController.ready)
        routes.get("metrics", use: MetricsController.show)
    }
}

/// The public site: pages and the contact form (browser forms carry CSRF tokens).
struct PublicSiteRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: HomeController.index)
        let contactForm = ContactFormController()
        routes.get("contact", use: contactForm.show)
        routes.post("contact", use: contactForm.submit)
        routes.get("contact", "thanks", use: contactForm.thanks)
    }
}

/// `/f/{slug}`: forms any website may post to, frame or upgrade with `/embed.js`. No CSRF
/// cookie (a page on another site cannot carry one): the form's websites are checked instead.
struct HostedFormRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let forms = HostedFormController()
        routes.get("f", ":slug", use: forms.show)
        routes.post("f", ":slug", use: forms.submit)
        routes.on(.OPTIONS, "f", ":slug", use: forms.preflight)
        routes.get("f", ":slug", "thanks", use: forms.thanks)
        routes.get("f", ":slug", "stamp", use: forms.stamp)
    }
}

/// `/api`: JSON intake for headless sites, and RingCentral's notifications.
struct APIRoutes: RouteCollection {
    let corsAllowedOrigins: [String]

    func boot(routes: any RoutesBuilder) throws {
        let contactAPI = ContactAPIController()
        let cors = corsAllowedOrigins.isEmpty ? nil : CORSMiddleware(configuration: .init(
            allowedOrigin: .any(corsAllowedOrigins),
            allowedMethods: [.POST, .OPTIONS],
            allowedHeaders: [.accept, .contentType, .origin]
        ))
        let intake = cors.map { routes.grouped($0) } ?? routes
        intake.post("contact", use: contactAPI.create)
        routes.get("openapi.json", use: OpenAPIDocument.serve)
        if cors != nil { intake.on(.OPTIONS, "contact") { _ in Response(status: .noContent) } }

        // Verified by token, never by session or CSRF.
        let webhooks = RingCentralWebhookController()
        routes.on(.POST, "webhooks", "ringcentral",
                  body: .collect(maxSize: ByteCount(value: RingCentralWebhookController.maxBodyBytes)), use: webhooks.receive)
    }
}
