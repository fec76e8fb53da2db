import AsyncHTTPClient
import Foundation
import NIOHTTP1

/// What one read of the connected extension tells about the connection beyond the extension
/// itself: RingCentral's clock (its `Date` header) and its rate-limit headers. For checks that
/// must not change anything (`leadbridge doctor`): one Light call.
public struct RingCentralProbe: Sendable, Equatable {
    public let extensionInfo: RingCentralExtension
    /// RingCentral's `Date` header, when it sent one.
    public let serverDate: Date?
    /// When the answer came back here, to compare with `serverDate`.
    public let receivedAt: Date
    /// `X-Rate-Limit-Group`, `-Limit` and `-Window`, when sent.
    public let rateLimitGroup: String?
    public let rateLimitLimit: Int?
    public let rateLimitWindow: Int?

    /// Seconds RingCentral's clock is ahead of this machine's (negative: behind); nil without a `Date`.
    public var clockOffset: TimeInterval? { serverDate.map { $0.timeIntervalSince(receivedAt) } }

    /// HTTP's date (RFC 9110 §5.6.7, IMF-fixdate), like "Mon, 07 Dec 2026 12:00:00 GMT".
    static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}

extension RingCentralClient {
    /// `GET /restapi/v1.0/account/~/extension/~` (Light), read with its headers.
    public func probe() async throws -> RingCentralProbe {
        let response = try await raw(.GET, Self.extensionPath, group: .light, endpoint: "GET \(Self.extensionPath)")
        let info: RingCentralExtension = try Self.decode(response.body)
        let headers = response.headers
        return RingCentralProbe(
            extensionInfo: info, serverDate: headers.first(name: "Date").flatMap(RingCentralProbe.parseHTTPDate), receivedAt: Date(),
            rateLimitGroup: headers.first(name: "X-Rate-Limit-Group"), rateLimitLimit: headers.first(name: "X-Rate-Limit-Limit").flatMap { Int($0) },
            rateLimitWindow: headers.first(name: "X-Rate-Limit-Window").flatMap { Int($0) })
    }
}
