import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A client for SuiteDash's Secure API (`https://app.suitedash.com/secure-api`).
///
/// Give it an `HTTPClient` that does not follow redirects: the keys travel in headers that
/// AsyncHTTPClient would carry to any host a redirect names. A redirect then comes back as an
/// error that says so.
///
/// Every request carries the `X-Public-ID` and `X-Secret-Key` headers; answers are JSON in
/// SuiteDash's `{"success", "data", "message"}` envelope; errors come back as `SuiteDashError`.
/// It knows nothing of LeadBridge's database or web framework.
public struct SuiteDashClient: Sendable {
    public struct Credentials: Sendable, Equatable {
        /// SuiteDash's "Public ID" (the guide's `SUITEDASH_API_KEY`).
        public var publicID: String
        public var secretKey: String
        public init(publicID: String, secretKey: String) { self.publicID = publicID; self.secretKey = secretKey }
    }

    /// The real base; the integration guide's `…/api/v1` is a placeholder.
    public static let defaultBaseURL = "https://app.suitedash.com/secure-api"

    public let baseURL: String
    public let calls: SuiteDashCallCounter
    let credentials: Credentials
    let http: HTTPClient
    let timeout: TimeAmount
    let observer: SuiteDashRequestObserver?

    public init(baseURL: String = SuiteDashClient.defaultBaseURL, credentials: Credentials, httpClient: HTTPClient,
                timeout: TimeAmount = .seconds(20), calls: SuiteDashCallCounter = SuiteDashCallCounter(),
                observer: SuiteDashRequestObserver? = nil) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credentials = credentials
        self.http = httpClient
        self.timeout = timeout
        self.calls = calls
        self.observer = observer
    }

    // MARK: Endpoints

    /// `GET /contact/meta`: cheap and read-only, so it is the connection test; the account's
    /// custom fields it lists are what an admin can map enquiry fields to.
    @discardableResult
    public func testConnection() async throws -> SuiteDashContactMeta {
        let body = try await send(.GET, "/contact/meta", endpoint: "GET /contact/meta")
        return try SuiteDashContactMeta.parse(Data(buffer: body))
    }

    /// `GET /contact/{uid-or-email}`; nil when SuiteDash has no such contact.
    public func contact(_ uidOrEmail: String) async throws -> SuiteDashContact? {
        do {
            let body = try await send(.GET, "/contact/" + Self.pathSegment(uidOrEmail), endpoint: "GET /contact/{id}",
                                      notFoundIsAnAnswer: true)
            return try Self.decodeData(SuiteDashContact.self, from: body)
        } catch SuiteDashError.notFound {
            return nil
        }
    }

    /// `POST /contact`.
    public func createContact(_ draft: SuiteDashContactDraft) async throws -> SuiteDashContact {
        let body = try await send(.POST, "/contact", endpoint: "POST /contact", json: draft)
        return try Self.decodeData(SuiteDashContact.self, from: body)
    }

    /// `PUT /contact/{uid-or-email}`: only the fields in `draft` change; `tags` replace the stored ones.
    public func updateContact(_ uidOrEmail: String, _ draft: SuiteDashContactDraft) async throws -> SuiteDashContact {
        let body = try await send(.PUT, "/contact/" + Self.pathSegment(uidOrEmail), endpoint: "PUT /contact/{id}", json: draft)
        return try Self.decodeData(SuiteDashContact.self, from: body)
    }

    // MARK: Transport

    /// One request. `notFoundIsAnAnswer`: a 404 is what the caller asked to know ("nobody with
    /// that email"), so the observer records it without an error; it is still thrown, for the
    /// caller to turn into nil.
    func send(_ method: HTTPMethod, _ path: String, endpoint: String, json: (some Encodable)? = Optional<String>.none,
              notFoundIsAnAnswer: Bool = false) async throws -> ByteBuffer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "X-Public-ID", value: credentials.publicID)
        request.headers.add(name: "X-Secret-Key", value: credentials.secretKey)
        request.headers.add(name: "Accept", value: "application/json")
        var requestBody: Data?
        if let json {
            let data = try JSONEncoder().encode(json)
            requestBody = data
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: data))
        }
        calls.record(endpoint)
        let started = DispatchTime.now().uptimeNanoseconds
        func report(_ status: Int?, _ body: ByteBuffer?, _ error: SuiteDashError?) async {
            guard let observer else { return }
            await observer(SuiteDashRequestRecord(
                endpoint: endpoint, path: path, requestBody: requestBody, status: status,
                responseBody: body.map { Data(buffer: $0) },
                durationMilliseconds: Int((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000), error: error))
        }

        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await http.execute(request, timeout: timeout)
            body = try await response.body.collect(upTo: 4 * 1024 * 1024)
        } catch {
            let failure = SuiteDashError.transport(String(describing: error))
            await report(nil, nil, failure)
            throw failure
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let failure = Self.error(status: status, headers: response.headers, body: body)
            await report(status, body, notFoundIsAnAnswer && status == 404 ? nil : failure)
            throw failure
        }
        await report(status, body, nil)
        return body
    }

    static func error(status: Int, headers: HTTPHeaders, body: ByteBuffer) -> SuiteDashError {
        let message = Self.message(in: body)
        switch status {
        case 300..<400:
            let location = headers.first(name: "Location") ?? "nowhere"
            return .unexpectedResponse("it answered with a redirect (HTTP \(status)) to \(location.prefix(200)). LeadBridge does not follow redirects with your keys: check the API URL")
        case 401, 403: return .unauthorized(message)
        case 404: return .notFound(message)
        case 400, 405, 409, 422: return .validation(message)
        case 429: return .rateLimited(retryAfter: headers.first(name: "Retry-After").flatMap(TimeInterval.init))
        case 500...: return .server(status: status, message: message)
        default: return .unexpectedResponse("HTTP \(status): \(message)")
        }
    }

    /// SuiteDash's `message` and, when it names fields, what is wrong with each, as one
    /// sentence for a person: "The given data was invalid. (last_name: The last name field is
    /// required.)". `errors` is read as an object of field to message(s), a list, or text.
    static func message(in body: ByteBuffer) -> String {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] else {
            let raw = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
            return raw.isEmpty ? "no details given" : String(raw.prefix(300))
        }
        let message = (object["message"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines)
        var details: [String] = []
        func texts(_ value: Any) -> [String] {
            if let text = value as? String { return [text] }
            if let list = value as? [Any] { return list.flatMap(texts) }
            return []
        }
        if let fields = object["errors"] as? [String: Any] {
            for key in fields.keys.sorted() {
                let said = texts(fields[key]!).joined(separator: " ")
                details.append(said.isEmpty ? key : "\(key): \(said)")
            }
        } else if let errors = object["errors"] {
            details = texts(errors)
        }
        details.removeAll { $0 == message }
        let parts = [message.flatMap { $0.isEmpty ? nil : $0 }, details.isEmpty ? nil : "(" + details.joined(separator: "; ") + ")"]
        let sentence = parts.compactMap { $0 }.joined(separator: " ")
        return sentence.isEmpty ? "no details given" : String(sentence.prefix(600))
    }

    static func decodeData<T: Decodable>(_ type: T.Type, from body: ByteBuffer) throws -> T {
        do {
            guard let data = try JSONDecoder().decode(SuiteDashEnvelope<T>.self, from: body).data else {
                throw SuiteDashError.unexpectedResponse("the answer has no data")
            }
            return data
        } catch let error as SuiteDashError {
            throw error
        } catch {
            throw SuiteDashError.unexpectedResponse("the answer is not the documented JSON (\(error))")
        }
    }

    /// An email or uid made safe for one path segment (`@` and `+` may stay, `/` may not).
    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        // `+` too: a server that decodes paths as form data reads it as a space, and `%2B` is a
        // plus under either decoding (ann+work@example.com must not look up "ann work@…").
        allowed.remove(charactersIn: "/?#+")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// SuiteDash's success envelope: `{"success": true, "data": {...}}`.
struct SuiteDashEnvelope<T: Decodable>: Decodable {
    let data: T?
}
