import Vapor

/// Turns every error into a response a person can act on: JSON `{"error": "…"}` for API
/// callers, a small page for browsers. Unexpected errors are logged and shown as a
/// generic sentence, so no internal detail (or secret) reaches the client.
struct AppErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return response(for: error, request: request)
        }
    }

    func response(for error: any Error, request: Request) -> Response {
        let status: HTTPResponseStatus
        let reason: String
        var headers = HTTPHeaders()
        switch error {
        case let abort as any AbortError:
            status = abort.status
            reason = abort.reason
            headers = abort.headers
        case is DecodingError:
            status = .badRequest
            reason = "The request body could not be read; send the fields as JSON or a form, as documented."
        case _ where DatabaseBusy.isBusy(error):
            // The transaction was rolled back (an enquiry is not stored); a moment later it will go through.
            status = .serviceUnavailable
            reason = "The database was busy and this request did not finish; please send it again in a moment."
            headers.replaceOrAdd(name: "Retry-After", value: "1")
        default:
            status = .internalServerError
            reason = "Something went wrong on our side. It has been logged; please try again in a moment."
        }
        if status.code >= 500 {
            request.logger.error("Request failed", metadata: ["path": .string(request.url.path), "error": .string(String(reflecting: error))])
        }

        let wantsJSON = request.url.path.hasPrefix("/api/") || request.prefersJSON
        let body: String
        if wantsJSON {
            headers.replaceOrAdd(name: .contentType, value: "application/json; charset=utf-8")
            body = (try? String(data: JSONEncoder().encode(["error": reason]), encoding: .utf8)) ?? "{}"
        } else {
            headers.replaceOrAdd(name: .contentType, value: "text/html; charset=utf-8")
            body = ErrorPage.html(status: status, reason: reason)
        }
        return Response(status: status, headers: headers, body: .init(string: body))
    }
}

/// A self-contained error page: it must render even when templates cannot.
enum ErrorPage {
    static func html(status: HTTPResponseStatus, reason: String) -> String {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(status.code) \(escape(status.reasonPhrase))</title><link rel="stylesheet" href="/css/app.css"></head>
        <body><main class="container narrow"><h1>\(escape(status.reasonPhrase))</h1>
        <p>\(escape(reason))</p><p><a href="/">Back to the home page</a></p></main></body></html>
        """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}
