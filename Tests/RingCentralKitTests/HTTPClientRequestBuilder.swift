import AsyncHTTPClient
import Foundation
import NIOCore

/// Raw requests for tests that must act outside the client (another process, a forger).
struct HTTPClientRequestBuilder {
    var request: HTTPClientRequest

    static func get(_ url: String, bearer: String) -> HTTPClientRequestBuilder {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer " + bearer)
        return HTTPClientRequestBuilder(request: request)
    }

    mutating func send() async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }
}
