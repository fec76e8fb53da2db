import Vapor

enum HomeController {
    struct Context: Encodable { let title: String }

    @Sendable static func index(req: Request) async throws -> View {
        try await req.view.render("home", Context(title: "LeadBridge Consulting"))
    }
}
