import Vapor

/// Every route, one collection per area. The admin's collections get the signed-in group:
/// sessions, CSRF and RequireAdmin are applied here, once.
func routes(_ app: Application) throws {
    let config = app.services.config
    try app.register(collection: OperationsRoutes())
    let csrf = CSRFMiddleware(secureCookies: config.usesHTTPS, secrets: app.services.secrets)
    try app.grouped(csrf).register(collection: PublicSiteRoutes())
    try app.register(collection: HostedFormRoutes())
    try app.grouped("api").register(collection: APIRoutes(corsAllowedOrigins: config.intake.corsAllowedOrigins))

    let admin = app.grouped("admin")
        .grouped(app.sessions.middleware, SessionsOnlyWhenUsed(configuration: app.sessions.configuration),
                 User.sessionAuthenticator(), csrf)
    try admin.register(collection: AdminSignInRoutes())
    let signedIn = admin.grouped(RequireAdmin())
    try signedIn.register(collection: AdminEnquiryRoutes())
    try signedIn.register(collection: AdminOperationsRoutes())
    try signedIn.register(collection: AdminUserRoutes())
    try signedIn.register(collection: AdminFormRoutes())
    try signedIn.register(collection: AdminSpamRoutes())
    try signedIn.register(collection: SuiteDashAdminRoutes())
    try signedIn.register(collection: RingCentralAdminRoutes())
    // RingCentral sends the browser back here; the state (bound to this browser by a cookie) is the proof.
    app.get("api", "integrations", "ringcentral", "callback", use: RingCentralAdminController().callback)
}
