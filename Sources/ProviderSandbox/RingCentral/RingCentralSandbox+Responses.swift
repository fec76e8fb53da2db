import Foundation
import Vapor

/// RingCentral's envelopes and the small helpers every endpoint shares.
extension RingCentralSandbox {
    /// RingCentral's API error: the `errors` array the spec declares, plus the top-level
    /// `errorCode` / `message` its gateway still sends (clients in the wild read either).
    static func error(_ status: HTTPResponseStatus, _ code: String, _ message: String,
                      parameterName: String? = nil, parameterValue: String? = nil) -> Response {
        var item: [String: Any] = ["errorCode": code, "message": message]
        if let parameterName { item["parameterName"] = parameterName }
        if let parameterValue { item["parameterValue"] = parameterValue }
        return json(status, ["errorCode": code, "message": message, "errors": [item]])
    }

    /// The token endpoint's OAuth error: RFC 6749's `error` / `error_description` plus RingCentral's `errors`.
    static func oauthError(_ status: HTTPResponseStatus, _ error: String, _ code: String, _ description: String,
                           parameterName: String? = nil) -> Response {
        var item: [String: Any] = ["errorCode": code, "message": description]
        if let parameterName { item["parameterName"] = parameterName }
        return json(status, ["error": error, "error_description": description, "errors": [item]])
    }

    static func notFound(_ parameter: String) -> Response {
        error(.notFound, "CMN-102", "Resource for parameter [\(parameter)] is not found.", parameterName: parameter)
    }

    static func missing(_ parameter: String) -> Response {
        error(.badRequest, "CMN-100", "Mandatory parameter [\(parameter)] not specified.", parameterName: parameter)
    }

    static func invalid(_ parameter: String, _ value: String? = nil, _ reason: String? = nil) -> Response {
        var message = "Parameter [\(parameter)] value is invalid."
        if let reason { message += " \(reason)" }
        return error(.badRequest, "CMN-101", message, parameterName: parameter, parameterValue: value)
    }

    static func json(_ status: HTTPResponseStatus, _ object: Any) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return Response(status: status, headers: ["Content-Type": "application/json; charset=utf-8"], body: .init(data: data))
    }

    static func html(_ status: HTTPResponseStatus, _ body: String) -> Response {
        Response(status: status, headers: ["Content-Type": "text/html; charset=utf-8"], body: .init(string: body))
    }

    static func object(_ req: Request) -> [String: Any]? {
        guard let buffer = req.body.data, let data = buffer.getData(at: buffer.readerIndex, length: buffer.readableBytes) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// The origin the client used, so `uri`s and navigation links point back at this server.
    static func origin(_ req: Request) -> String {
        "http://" + (req.headers.first(name: .host) ?? "127.0.0.1")
    }

    static var accountPath: String { "/restapi/v1.0/account/\(accountID)" }
    static var extensionPath: String { accountPath + "/extension/\(extensionID)" }

    // MARK: Dates and numbers

    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let whole = Date.ISO8601FormatStyle()

    /// RingCentral's format: `2016-03-10T18:07:52.534Z`.
    static func timestamp(_ date: Date) -> String { fractional.format(date) }

    static func parseDate(_ text: String) -> Date? {
        if let date = try? fractional.parse(text) { return date }
        if let date = try? whole.parse(text) { return date }
        // RingCentral also takes a bare date (midnight UTC).
        return try? whole.parse(text + "T00:00:00Z")
    }

    /// E.164 as RingCentral checks it: `+`, a non-zero digit, 7 to 15 digits in all.
    static func isE164(_ number: String) -> Bool {
        guard number.count >= 8, number.count <= 16, number.first == "+" else { return false }
        let digits = number.dropFirst()
        return digits.first != "0" && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    static func randomToken(_ prefix: String, bytes: Int = 24) -> String {
        var generator = SystemRandomNumberGenerator()
        let raw = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + Data(raw).base64URLEncoded()
    }
}

extension Data {
    /// Base64url without padding (RFC 4648 §5), as PKCE and tokens use it.
    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
