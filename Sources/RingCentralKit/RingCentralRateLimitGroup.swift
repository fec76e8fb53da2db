import Foundation

/// RingCentral's API usage groups. Every endpoint belongs to one; the limits are per user
/// per app per window (documented defaults: a 60 s window).
public enum RingCentralRateLimitGroup: String, Sendable, Codable, CaseIterable {
    case light = "Light", medium = "Medium", heavy = "Heavy", auth = "Auth"

    /// The group an answer's `X-Rate-Limit-Group` names, whatever its case: RingCentral writes
    /// `light` (the guide's example, and 429s logged by SDK users), the spec `Light`.
    public init?(header: String) {
        guard let group = Self.allCases.first(where: { $0.rawValue.caseInsensitiveCompare(header.trimmingCharacters(in: .whitespaces)) == .orderedSame }) else {
            return nil
        }
        self = group
    }

    /// The documented requests per 60 s; the client learns the real figures from
    /// `X-Rate-Limit-Limit` / `X-Rate-Limit-Window` as answers arrive.
    public var documentedLimit: Int {
        switch self {
        case .light: return 50
        case .medium: return 40
        case .heavy: return 10
        case .auth: return 5
        }
    }
}
