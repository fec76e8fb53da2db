import Foundation

/// `GET /restapi/v1.0/account/~/extension/~/business-hours` (the spec's
/// `GetUserBusinessHoursResponse`): `schedule.weeklyRanges` keyed by lower-case day names, each
/// a list of `{from, to}` as "HH:mm". The spec: an extension set to "24 hours/7 days a week"
/// answers an empty schedule. The schedule names no time zone; the extension's
/// `regionalSettings.timezone` is the one it is kept in.
public struct RingCentralBusinessHours: Sendable, Codable, Equatable {
    public struct TimeRange: Sendable, Codable, Equatable {
        public let from: String
        public let to: String
        public init(from: String, to: String) { self.from = from; self.to = to }
    }
    public struct Schedule: Sendable, Codable, Equatable {
        public let weeklyRanges: [String: [TimeRange]]?
    }
    public let uri: String?
    public let schedule: Schedule?

    /// Empty when RingCentral says 24/7 (or sends nothing).
    public var weeklyRanges: [String: [TimeRange]] { schedule?.weeklyRanges ?? [:] }
}

/// `regionalSettings.timezone` of `GET /restapi/v1.0/account/~/extension/~` (the spec's
/// `TimezoneInfo`: `name` such as "US/Pacific", an IANA name or alias).
public struct RingCentralRegionalSettings: Sendable, Codable, Equatable {
    public struct Timezone: Sendable, Codable, Equatable { public let name: String? }
    public let timezone: Timezone?
}

private struct RingCentralExtensionRegion: Decodable { let regionalSettings: RingCentralRegionalSettings? }

extension RingCentralClient {
    public func businessHours() async throws -> RingCentralBusinessHours {
        try await getJSON(Self.extensionPath + "/business-hours")
    }

    /// The extension's time zone name, from its regional settings; nil when none is given.
    public func extensionTimeZoneName() async throws -> String? {
        let region: RingCentralExtensionRegion = try await getJSON(Self.extensionPath)
        return region.regionalSettings?.timezone?.name
    }
}
