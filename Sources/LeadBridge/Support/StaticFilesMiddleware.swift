import Vapor

/// Serves `Public/` for asset paths only. Vapor's FileMiddleware checks the disk (on the
/// thread pool) for every request; the API and pages should not pay for that.
struct StaticFilesMiddleware: AsyncMiddleware {
    static let prefixes = ["/css/", "/js/", "/img/", "/favicon", "/embed.js"]
    private let files: FileMiddleware

    init(publicDirectory: String) {
        files = FileMiddleware(publicDirectory: publicDirectory)
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path
        guard Self.prefixes.contains(where: path.hasPrefix) else { return try await next.respond(to: request) }
        return try await files.respond(to: request, chainingTo: next)
    }
}
