import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Sends one request to RingCentral under the rate limiter, retrying a 429 after its
/// Retry-After, and turns failures into `RingCentralError`. The caller says how to authorise
/// (`bearer`); the token is asked for only once the request holds its slot and is about to go.
struct RingCentralTransport: Sendable {
    struct Request: Sendable {
        var method: HTTPMethod
        /// Absolute URL.
        var url: String
        var endpoint: String
        var group: RingCentralRateLimitGroup
        var headers: HTTPHeaders = [:]
        var body: Data?
        /// What the audit trail may see of the body (nil: nothing).
        var auditBody: Data?
        /// The access token, asked for after the slot is taken: a token read before a wait for a
        /// slot may have expired, or been ended by another process's refresh, by the time the
        /// request goes (then it was answered 401 and sent again, spending a second slot).
        var bearer: (@Sendable () async throws -> String)?
    }

    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
        /// The access token the request carried, if it had one.
        var bearerUsed: String? = nil
    }

    let http: HTTPClient
    let limiter: RingCentralRateLimiter
    let options: RingCentralClientOptions
    let observer: RingCentralRequestObserver?

    /// Sends `request`; answers that are not 2xx come back too (status checked by the caller)
    /// except 429, which is waited out and retried `options.rateLimitRetries` times.
    func send(_ request: Request) async throws -> Response {
        var attempt = 0
        while true {
            let slot = try await limiter.acquire(request.group, maxWait: options.maxPacingWait)
            // A 429 another caller of this process earned while this one waited for its slot:
            // a request sent now would only start the penalty again.
            if await limiter.isPaused(request.group) {
                await limiter.release(slot)
                continue
            }
            var response: Response
            do {
                var outgoing = request
                if let bearer = request.bearer {
                    let token = try await bearer()
                    outgoing.headers.replaceOrAdd(name: "Authorization", value: "Bearer " + token)
                    response = try await sendOnce(outgoing)
                    response.bearerUsed = token
                } else {
                    response = try await sendOnce(outgoing)
                }
            } catch {
                await limiter.settle(slot)
                throw error
            }
            await limiter.settle(slot)
            await observeLimits(request.group, response.headers)
            guard response.status == 429 else { return response }
            // RingCentral's advice: at least 30 s when it does not say.
            // Whole seconds, within reason: a hostile or broken header must not stall us forever.
            let retryAfter = TimeInterval(min(max(response.headers.first(name: "Retry-After").flatMap(Int.init) ?? 30, 1), 3600))
            await limiter.penalize(request.group, retryAfter: retryAfter)
            attempt += 1
            guard attempt <= options.rateLimitRetries, retryAfter <= options.maxPacingWait else {
                throw RingCentralError.rateLimited(group: request.group, retryAfter: retryAfter)
            }
        }
    }

    private func sendOnce(_ request: Request) async throws -> Response {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = request.method
        outgoing.headers = request.headers
        outgoing.headers.replaceOrAdd(name: "Accept", value: "application/json")
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(data: body)) }
        let started = DispatchTime.now().uptimeNanoseconds
        func report(_ status: Int?, _ body: ByteBuffer?, _ error: RingCentralError?) async {
            guard let observer else { return }
            let milliseconds = Int((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
            await observer(RingCentralRequestRecord(
                endpoint: request.endpoint, group: request.group, requestBody: request.auditBody, status: status,
                responseBody: body.map { Data(buffer: $0) }, durationMilliseconds: milliseconds, error: error))
        }
        do {
            let response = try await http.execute(outgoing, timeout: options.timeout)
            let body = try await response.body.collect(upTo: options.maxResponseBytes)
            let status = Int(response.status.code)
            let failure = (200..<300).contains(status) ? nil : RingCentralErrorParser.error(status: status, body: body, group: request.group)
            // Token answers are reported by the OAuth client itself, without the tokens.
            await report(status, request.group == .auth && failure == nil ? nil : body, failure)
            return Response(status: status, headers: response.headers, body: body)
        } catch {
            let failure = RingCentralError.transport(String(describing: error))
            await report(nil, nil, failure)
            throw failure
        }
    }

    private func observeLimits(_ group: RingCentralRateLimitGroup, _ headers: HTTPHeaders) async {
        let limit = headers.first(name: "X-Rate-Limit-Limit").flatMap(Int.init).map { min($0, 1_000_000) }
        let window = headers.first(name: "X-Rate-Limit-Window").flatMap(Int.init).map { TimeInterval(min(max($0, 1), 3600)) }
        let remaining = headers.first(name: "X-Rate-Limit-Remaining").flatMap(Int.init)
        // The header names the group the server counted; trust it over our own table.
        let counted = headers.first(name: "X-Rate-Limit-Group").flatMap(RingCentralRateLimitGroup.init(header:)) ?? group
        guard limit != nil || window != nil || remaining != nil else { return }
        await limiter.observe(group: counted, limit: limit, window: window, remaining: remaining)
    }
}

/// Reads RingCentral's error envelopes: `{"errorCode","message","errors":[...]}` for the
/// API, `{"error","error_description","errors":[...]}` for the token endpoint.
///
/// Every code is kept, the ones in `errors[]` first: RingCentral's gateway puts a generic code
/// at the top (a dead token answers `"errorCode": "TokenInvalid"`) and the specific one
/// (`OAU-128` expired, `OAU-213` not found) inside `errors[]`, and it is the specific one a
/// client must act on.
enum RingCentralErrorParser {
    struct Envelope: Decodable {
        struct Item: Decodable { let errorCode: String?; let message: String?; let parameterName: String?; let permissionName: String? }
        let errorCode: String?
        let permissionName: String?
        let message: String?
        let error: String?
        let error_description: String?
        let errors: [Item]?
    }

    static func error(status: Int, body: ByteBuffer, group: RingCentralRateLimitGroup = .light) -> RingCentralError {
        let envelope = try? JSONDecoder().decode(Envelope.self, from: body)
        let first = envelope?.errors?.first
        var codes: [String] = []
        for code in (envelope?.errors ?? []).map(\.errorCode) + [envelope?.errorCode] {
            if let code, !code.isEmpty, !codes.contains(code) { codes.append(code) }
        }
        // The specific item's words too: "Token not found" says more than the gateway's summary.
        let message = first?.message ?? envelope?.message ?? envelope?.error_description ?? fallbackMessage(body)
        if envelope?.error == "invalid_grant" { return .reauthorizationRequired(envelope?.error_description ?? message) }
        if envelope?.error == "invalid_client" { return .invalidClient(message) }
        if envelope?.error == "unauthorized_client" { return .grantTypeNotAllowed(envelope?.error_description ?? message) }
        switch status {
        case 300..<400:
            return .unexpectedResponse("it answered with a redirect (HTTP \(status)), which LeadBridge does not follow with tokens or secrets: check the server URL")
        case 401: return .unauthorized(errorCodes: codes, message: message)
        case 403 where codes.contains("CMN-401") || codes.contains("CMN-408"):
            // CMN-401: the app lacks the permission; CMN-408: the signed-in user's role does. The
            // permission is named in `permissionName` (CMN-408 bodies) or in brackets in the message.
            let permission = first?.permissionName ?? envelope?.permissionName ?? bracketed(message) ?? "unknown"
            return .permissionMissing(permission: permission, ofApp: codes.contains("CMN-401"), message: message)
        case 429: return .rateLimited(group: group, retryAfter: 60)
        case 500...: return .server(status: status, message: message)
        default: return .request(status: status, errorCodes: codes, message: message, parameterName: first?.parameterName)
        }
    }

    /// "…needs to have [ReadCallLog] permission…" → "ReadCallLog".
    static func bracketed(_ message: String) -> String? {
        guard let open = message.firstIndex(of: "["), let close = message[open...].firstIndex(of: "]") else { return nil }
        let name = message[message.index(after: open)..<close]
        return name.isEmpty ? nil : String(name)
    }

    private static func fallbackMessage(_ body: ByteBuffer) -> String {
        let raw = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
        return raw.isEmpty ? "no details given" : String(raw.prefix(300))
    }
}
