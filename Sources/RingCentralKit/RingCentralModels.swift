import Foundation

/// `GET /restapi/v1.0/account/~` (the fields LeadBridge keeps).
public struct RingCentralAccount: Sendable, Codable, Equatable {
    public struct ServiceInfo: Sendable, Codable, Equatable { public let brand: Brand?; public struct Brand: Sendable, Codable, Equatable { public let name: String? } }
    public let id: Int64
    public let mainNumber: String?
    public let status: String?
    public let serviceInfo: ServiceInfo?
}

/// `GET /restapi/v1.0/account/~/extension/~`.
public struct RingCentralExtension: Sendable, Codable, Equatable {
    public struct Contact: Sendable, Codable, Equatable {
        public let firstName: String?
        public let lastName: String?
        public let company: String?
        public let email: String?
    }
    public let id: Int64
    public let extensionNumber: String?
    public let name: String?
    public let type: String?
    public let status: String?
    public let contact: Contact?
}

/// One of the extension's numbers; `features` says what it may do.
public struct RingCentralPhoneNumber: Sendable, Codable, Equatable {
    public let id: Int64?
    public let phoneNumber: String
    public let usageType: String?
    public let type: String?
    public let features: [String]?

    /// May send SMS from this number.
    public var canSendSMS: Bool { features?.contains("SmsSender") ?? false }
    /// May be shown to the callee as caller id.
    public var canBeCallerID: Bool { features?.contains("CallerId") ?? false }
}

/// A RingOut and its legs' progress.
public struct RingCentralRingOut: Sendable, Codable, Equatable {
    public struct Status: Sendable, Codable, Equatable {
        public let callStatus: String?
        public let callerStatus: String?
        public let calleeStatus: String?
    }
    public let id: String
    public let uri: String?
    public let status: Status?

    /// RingCentral keeps reporting `InProgress` until the call connects or fails.
    public var isFinal: Bool {
        guard let call = status?.callStatus else { return false }
        return call != "InProgress"
    }

    enum CodingKeys: String, CodingKey { case id, uri, status }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // RingCentral documents the id as a string but has sent numbers.
        if let text = try? container.decode(String.self, forKey: .id) { id = text }
        else { id = String(try container.decode(Int64.self, forKey: .id)) }
        uri = try container.decodeIfPresent(String.self, forKey: .uri)
        status = try container.decodeIfPresent(Status.self, forKey: .status)
    }
}

/// A message in the message store (an SMS sent or received).
public struct RingCentralMessage: Sendable, Codable, Equatable {
    public struct Party: Sendable, Codable, Equatable {
        public let phoneNumber: String?
        public let name: String?
    }
    public let id: Int64
    public let uri: String?
    public let type: String?
    public let direction: String?
    public let messageStatus: String?
    public let from: Party?
    public let to: [Party]?
    public let subject: String?
    public let creationTime: String?
    public let lastModifiedTime: String?
    public let conversationId: Int64?
    /// Why a text failed, for SMS only: `SMS-RC-…` (RingCentral), `SMS-UP-…` (the sending
    /// carrier), `SMS-CAR-…` (the recipient's carrier).
    public let deliveryErrorCode: String?

    /// Statuses after which nothing changes any more.
    public var isFinal: Bool {
        ["Delivered", "DeliveryFailed", "SendingFailed", "Received"].contains(messageStatus ?? "")
    }
}

/// A party on a call-log record.
public struct RingCentralCallParty: Sendable, Codable, Equatable {
    public let phoneNumber: String?
    public let extensionNumber: String?
    public let name: String?
    public let location: String?
}

/// One call-log record: the fields LeadBridge reads, and the whole record as it came.
public struct RingCentralCallLogRecord: Sendable, Decodable, Equatable {
    public struct Recording: Sendable, Codable, Equatable {
        public let id: String?
        public let contentUri: String?
    }
    public let id: String
    public let sessionId: String?
    public let startTime: String
    public let duration: Int?
    public let type: String?
    public let direction: String?
    public let action: String?
    public let result: String?
    public let from: RingCentralCallParty?
    public let to: RingCentralCallParty?
    public let recording: Recording?
    public let raw: JSONValue
    /// `startTime` as a date, parsed once.
    public let startDate: Date?

    enum CodingKeys: String, CodingKey { case id, sessionId, startTime, duration, type, direction, action, result, from, to, recording }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        sessionId = try container.decodeIfPresent(String.self, forKey: .sessionId)
        startTime = try container.decode(String.self, forKey: .startTime)
        duration = try container.decodeIfPresent(Int.self, forKey: .duration)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        direction = try container.decodeIfPresent(String.self, forKey: .direction)
        action = try container.decodeIfPresent(String.self, forKey: .action)
        result = try container.decodeIfPresent(String.self, forKey: .result)
        from = try container.decodeIfPresent(RingCentralCallParty.self, forKey: .from)
        to = try container.decodeIfPresent(RingCentralCallParty.self, forKey: .to)
        recording = try container.decodeIfPresent(Recording.self, forKey: .recording)
        raw = try JSONValue(from: decoder)
        startDate = RingCentralDate.parse(startTime)
    }
}

/// A page of the call log and the link to the next one.
public struct RingCentralCallLogPage: Sendable {
    public let records: [RingCentralCallLogRecord]
    public let page: Int
    public let totalPages: Int?
    public let totalElements: Int?
    /// `navigation.nextPage.uri`, absent on the last page.
    public let nextPageURI: String?
}

struct RingCentralCallLogEnvelope: Decodable {
    struct Paging: Decodable { let page: Int?; let totalPages: Int?; let totalElements: Int? }
    struct Navigation: Decodable { struct Link: Decodable { let uri: String? }; let nextPage: Link? }
    let records: [RingCentralCallLogRecord]
    let paging: Paging?
    let navigation: Navigation?
}

/// A webhook subscription.
public struct RingCentralSubscription: Sendable, Codable, Equatable {
    public struct DeliveryMode: Sendable, Codable, Equatable {
        public let transportType: String?
        public let address: String?
    }
    public let id: String
    public let status: String?
    public let eventFilters: [String]?
    public let expirationTime: String?
    public let expiresIn: Int?
    public let creationTime: String?
    public let deliveryMode: DeliveryMode?
    /// Filters RingCentral accepted but disabled, each with why (the spec's `DisabledFilterInfo`):
    /// a filter whose permission the app lacks, say. The subscription is Active all the same.
    public let disabledFilters: [DisabledFilter]?

    public struct DisabledFilter: Sendable, Codable, Equatable {
        public let filter: String
        public let reason: String?
        public let message: String?
    }

    public var expirationDate: Date? { expirationTime.flatMap(RingCentralDate.parse) }
}

struct RingCentralRecordList<Record: Decodable>: Decodable {
    struct Navigation: Decodable { struct Link: Decodable { let uri: String? }; let nextPage: Link? }
    let records: [Record]
    let navigation: Navigation?
}

/// RingCentral's timestamps: ISO 8601 in UTC, sometimes with milliseconds. Format styles are
/// values and cheap to reuse (a formatter made per record cost half of a call-log sync).
public enum RingCentralDate {
    private static let whole = Date.ISO8601FormatStyle()
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    public static func parse(_ text: String) -> Date? {
        (try? whole.parse(text)) ?? (try? fractional.parse(text))
    }

    public static func format(_ date: Date) -> String {
        fractional.format(date)
    }
}
