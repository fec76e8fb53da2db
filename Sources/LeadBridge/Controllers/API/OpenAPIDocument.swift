import Vapor

/// `GET /api/openapi.json`: the intake API's OpenAPI 3.1 document (Resources/openapi.json; a
/// copy is kept in docs/ for people reading the repository, and a test keeps the two equal).
enum OpenAPIDocument {
    @Sendable static func serve(req: Request) async throws -> Response {
        let path = req.application.directory.resourcesDirectory + "openapi.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Abort(.notFound, reason: "The API description is missing from this install's Resources folder.")
        }
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}
