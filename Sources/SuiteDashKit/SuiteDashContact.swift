import Foundation

/// A contact as SuiteDash returns it. Fields LeadBridge does not use are ignored.
public struct SuiteDashContact: Codable, Equatable, Sendable {
    public var uid: String
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var role: String?
    public var phone: String?
    public var companyName: String?
    public var backgroundInfo: String?
    public var tags: [String]?

    enum CodingKeys: String, CodingKey {
        case uid, email, role, phone, tags
        case firstName = "first_name", lastName = "last_name"
        case companyName = "company_name", backgroundInfo = "background_info"
    }
}

/// What to send when creating or updating a contact. Only the fields that are set are
/// sent: SuiteDash's PUT changes exactly the fields it receives (and `tags` sent replace
/// the stored ones).
public struct SuiteDashContactDraft: Encodable, Equatable, Sendable {
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    /// "Lead", "Prospect" or "Client". SuiteDash has no separate lead object: a lead is a contact with role Lead.
    public var role: String?
    public var phone: String?
    public var companyName: String?
    public var createCompanyIfNotExists: Bool?
    public var backgroundInfo: String?
    public var tags: [String]?
    public var sendWelcomeEmail: Bool?

    public init(firstName: String? = nil, lastName: String? = nil, email: String? = nil, role: String? = nil,
                phone: String? = nil, companyName: String? = nil, createCompanyIfNotExists: Bool? = nil,
                backgroundInfo: String? = nil, tags: [String]? = nil, sendWelcomeEmail: Bool? = nil) {
        self.firstName = firstName; self.lastName = lastName; self.email = email; self.role = role
        self.phone = phone; self.companyName = companyName; self.createCompanyIfNotExists = createCompanyIfNotExists
        self.backgroundInfo = backgroundInfo; self.tags = tags; self.sendWelcomeEmail = sendWelcomeEmail
    }

    enum CodingKeys: String, CodingKey {
        case email, role, phone, tags
        case firstName = "first_name", lastName = "last_name", companyName = "company_name"
        case createCompanyIfNotExists = "create_company_if_not_exists", backgroundInfo = "background_info"
        case sendWelcomeEmail = "send_welcome_email"
    }
}
