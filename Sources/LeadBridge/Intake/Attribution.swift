import Foundation

/// Where a lead came from: the campaign tags of the page they landed on (UTM), an ad network's
/// click id, the page that sent them (referrer) and the page they landed on. The columns hold
/// the first touch (what `embed.js` kept for 90 days in the host site's own storage, or this
/// visit's); the last touch, when it differs, is kept beside as JSON.
///
/// Nobody can correct a campaign tag, so a value too long is cut to its column rather than
/// refused: an enquiry is never lost over a tracking parameter. Text is cleaned like every
/// other field; a referrer or landing page that is not an http(s) address is dropped.
struct Attribution: Sendable, Equatable, Codable {
    enum Key: String, CaseIterable, Sendable, Codable {
        case utmSource = "utm_source", utmMedium = "utm_medium", utmCampaign = "utm_campaign"
        case utmTerm = "utm_term", utmContent = "utm_content"
        case gclid, fbclid, msclkid
        case referrer, landingPage = "landing_page"

        var maxLength: Int {
            switch self {
            case .referrer, .landingPage: 1000
            case .gclid, .fbclid, .msclkid: 500
            default: 200
            }
        }

        var label: String {
            switch self {
            case .utmSource: "UTM source"
            case .utmMedium: "UTM medium"
            case .utmCampaign: "UTM campaign"
            case .utmTerm: "UTM term"
            case .utmContent: "UTM content"
            case .gclid: "Google Ads click id (gclid)"
            case .fbclid: "Meta click id (fbclid)"
            case .msclkid: "Microsoft Ads click id (msclkid)"
            case .referrer: "Referrer"
            case .landingPage: "Landing page"
            }
        }

        var isAddress: Bool { self == .referrer || self == .landingPage }

        /// The enquiry column holding this key (the columns share the keys' names).
        var column: Enquiry.Column { Enquiry.Column(rawValue: rawValue)! }
    }

    static let maxChannelLength = 100

    private(set) var values: [Key: String] = [:]

    init() {}

    /// Cleans what arrived under the attribution keys; unknown keys are not read here.
    init(raw: [String: String]) {
        for key in Key.allCases {
            guard let value = raw[key.rawValue] else { continue }
            self[key] = value
        }
    }

    subscript(key: Key) -> String? {
        get { values[key] }
        set {
            guard let newValue, let cleaned = Self.clean(newValue, as: key) else { values[key] = nil; return }
            values[key] = cleaned
        }
    }

    var isEmpty: Bool { values.isEmpty }

    /// The one word the list and the dashboard group by: the UTM source, else the ad network
    /// whose click id came, else the referring site, else "direct".
    var channel: String {
        if let source = self[.utmSource] { return String(source.lowercased().prefix(Self.maxChannelLength)) }
        if self[.gclid] != nil { return "google ads" }
        if self[.msclkid] != nil { return "microsoft ads" }
        if self[.fbclid] != nil { return "facebook" }
        if let referrer = self[.referrer].flatMap({ URL(string: $0)?.host?.lowercased() }) {
            let landing = self[.landingPage].flatMap { URL(string: $0)?.host?.lowercased() }
            if referrer != landing {
                let host = referrer.hasPrefix("www.") ? String(referrer.dropFirst(4)) : referrer
                return String(host.prefix(Self.maxChannelLength))
            }
        }
        return "direct"
    }

    /// As JSON for `last_touch`; nil when empty.
    var json: String? {
        guard !values.isEmpty else { return nil }
        let plain = Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(plain)).flatMap { String(data: $0, encoding: .utf8) }
    }

    /// The tags in a page's address, with the address as the landing page.
    static func fromAddress(_ address: String) -> Attribution {
        var raw: [String: String] = [:]
        for item in URLComponents(string: address)?.queryItems ?? [] {
            if let value = item.value, Key(rawValue: item.name) != nil, !Key(rawValue: item.name)!.isAddress { raw[item.name] = value }
        }
        raw[Key.landingPage.rawValue] = address
        return Attribution(raw: raw)
    }

    static func fromJSON(_ text: String?) -> Attribution {
        guard let text, let data = text.data(using: .utf8),
              let plain = try? JSONDecoder().decode([String: String].self, from: data) else { return Attribution() }
        return Attribution(raw: plain)
    }

    static func clean(_ value: String, as key: Key) -> String? {
        let text = TextSanitizer.singleLine(value)
        guard !text.isEmpty else { return nil }
        if key.isAddress {
            guard var parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", parts.host?.isEmpty == false else { return nil }
            parts.fragment = nil
            parts.user = nil
            parts.password = nil
            guard let address = parts.string else { return nil }
            return address.count > key.maxLength ? String(address.prefix(key.maxLength)) : address
        }
        return text.count > key.maxLength ? String(text.prefix(key.maxLength)) : text
    }
}

extension Attribution {
    /// The rows shown on an enquiry, in the keys' order.
    var rows: [(label: String, value: String)] {
        Key.allCases.compactMap { key in self[key].map { (key.label, $0) } }
    }
}
