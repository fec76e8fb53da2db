import Vapor

/// The last check on every response's headers before they reach the socket. Vapor writes a
/// header as it is, so a CR or LF in a name or value ends that header and starts one chosen by
/// whoever put text there (a planted `Set-Cookie`, a second `Location`), and a NUL or other
/// control character is read differently by each proxy on the way. No handler means to emit
/// one; when one does (a bug, or request text that reached a header), that header is dropped and
/// the fact logged, and the rest of the response goes out as it was: no 500, nothing to retry.
/// A redirect that lost its `Location` goes to the root of its area (`/admin`, else `/`), so the
/// visitor lands on a page instead of an empty answer. (NIO's own header validator would close
/// the connection instead, and Vapor's pipeline does not install it.)
struct ResponseHeaderGuard: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        guard !response.headers.allSatisfy({ Self.isValidName($0.name) && Self.isValidValue($0.value) }) else { return response }
        var kept = HTTPHeaders()
        var dropped: [String] = []
        for (name, value) in response.headers {
            if Self.isValidName(name), Self.isValidValue(value) {
                kept.add(name: name, value: value)
            } else {
                // Only the name, made printable: the value may be the attacker's text.
                dropped.append(String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" }))
            }
        }
        if (300..<400).contains(response.status.code), !kept.contains(name: .location) {
            let path = request.url.path
            kept.replaceOrAdd(name: .location, value: path == AdminURL.root || path.hasPrefix(AdminURL.root + "/") ? AdminURL.root : "/")
        }
        response.headers = kept
        request.logger.error("Dropped response headers holding control characters", metadata: [
            "path": .string(request.url.path), "headers": .string(dropped.joined(separator: ", ")),
        ])
        return response
    }

    /// RFC 9110's `token`: the only characters a field name may have.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                return true
            default:
                return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }

    /// RFC 9110's field value: visible characters, spaces and tabs, and bytes past ASCII; no
    /// CR, LF, NUL or other control character.
    static func isValidValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }
}
