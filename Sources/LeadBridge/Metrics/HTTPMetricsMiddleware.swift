import Metrics
import Vapor

/// Counts requests and times them, labelled by route pattern (not raw path, which would
/// make a series per enquiry id).
struct HTTPMetricsMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        var status = 500
        defer {
            let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
            let method = request.method.rawValue
            Counter(label: "http_requests_total", dimensions: [("method", method), ("route", route), ("status", String(status))]).increment()
            Timer(label: "http_request_duration_seconds", dimensions: [("method", method), ("route", route)], preferredDisplayUnit: .seconds)
                .recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
        }
        do {
            let response = try await next.respond(to: request)
            status = Int(response.status.code)
            return response
        } catch let abort as any AbortError {
            status = Int(abort.status.code)
            throw abort
        }
    }
}
