import Foundation
import SuiteDashKit

/// The enquiry fields an admin can send to custom fields of their SuiteDash account (Admin >
/// SuiteDash > Custom fields). Which custom fields exist is the account's own business: Test
/// Connection reads them from `GET /contact/meta`.
enum SuiteDashMappableField: String, CaseIterable, Sendable, Codable {
    case serviceInterest = "service_interest"
    case source
    case message
    case consentAt = "consent_at"
    case adminURL = "admin_url"
    // Where the lead came from (the first touch), for reports in SuiteDash.
    case channel
    case utmSource = "utm_source", utmMedium = "utm_medium", utmCampaign = "utm_campaign"
    case utmTerm = "utm_term", utmContent = "utm_content"
    case gclid, fbclid, msclkid, referrer, landingPage = "landing_page"

    var label: String {
        if let key = Attribution.Key(rawValue: rawValue) { return key.label }
        switch self {
        case .serviceInterest: return "Service interest"
        case .source: return "Source"
        case .message: return "Message"
        case .consentAt: return "Consent given at"
        case .adminURL: return "Link to the enquiry in LeadBridge"
        case .channel: return "Channel (UTM source, ad network or referring site)"
        default: return rawValue
        }
    }

    /// The enquiry's value for this field; nil when it has none (nothing is sent then).
    func value(of enquiry: Enquiry, appURL: String) -> String? {
        if let key = Attribution.Key(rawValue: rawValue) { return enquiry.attribution[key] }
        switch self {
        case .serviceInterest: return enquiry.serviceInterest.flatMap { $0.isEmpty ? nil : $0 }
        case .source: return enquiry.source.isEmpty ? nil : enquiry.source
        case .message: return enquiry.message.flatMap { $0.isEmpty ? nil : $0 }
        case .consentAt: return enquiry.consentAt.map { ISO8601DateFormatter().string(from: $0) }
        case .adminURL:
            guard let id = enquiry.id else { return nil }
            let base = appURL.hasSuffix("/") ? String(appURL.dropLast()) : appURL
            return base + AdminURL.enquiry(.value(id)).path
        case .channel: return enquiry.channel
        default: return nil
        }
    }
}

/// Which custom field (by its `/contact/meta` key) each enquiry field goes to.
typealias SuiteDashFieldMap = [SuiteDashMappableField: String]

extension SuiteDashSettings {
    /// The custom field values for one enquiry, by custom field key.
    func customFields(for enquiry: Enquiry, appURL: String) -> [String: String] {
        var values: [String: String] = [:]
        for (field, key) in fieldMap {
            if let value = field.value(of: enquiry, appURL: appURL) { values[key] = value }
        }
        return values
    }
}
