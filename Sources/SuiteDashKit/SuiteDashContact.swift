import Foundation

/// A contact as SuiteDash returns it. Fields LeadBridge does not use are ignored, and the
/// ones whose shape public clients disagree on are read in every shape seen: the company as
/// `companies: [{uid, name}]` (what public clients read), a `company` object, or a flat
/// `company_name`; circles as objects with a `name` or as plain names; custom field values of
/// any JSON type, kept as they came, and an empty `custom_fields` as `{}` or `[]`.
public struct SuiteDashContact: Decodable, Equatable, Sendable {
    public var uid: String
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var role: String?
    public var phone: String?
    public var backgroundInfo: String?
    public var tags: [String]?
    public var companyNames: [String]
    public var circleNames: [String]
    public var customFields: [String: SuiteDashValue]

    public init(uid: String, firstName: String? = nil, lastName: String? = nil, email: String? = nil, role: String? = nil,
                phone: String? = nil, backgroundInfo: String? = nil, tags: [String]? = nil, companyNames: [String] = [],
                circleNames: [String] = [], customFields: [String: SuiteDashValue] = [:]) {
        self.uid = uid; self.firstName = firstName; self.lastName = lastName; self.email = email; self.role = role
        self.phone = phone; self.backgroundInfo = backgroundInfo; self.tags = tags; self.companyNames = companyNames
        self.circleNames = circleNames; self.customFields = customFields
    }

    enum CodingKeys: String, CodingKey {
        case uid, email, role, phone, tags, company, companies, circles
        case firstName = "first_name", lastName = "last_name", backgroundInfo = "background_info"
        case companyName = "company_name", customFields = "custom_fields"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        uid = try container.decode(String.self, forKey: .uid)
        firstName = try? container.decodeIfPresent(String.self, forKey: .firstName)
        lastName = try? container.decodeIfPresent(String.self, forKey: .lastName)
        email = try? container.decodeIfPresent(String.self, forKey: .email)
        role = try? container.decodeIfPresent(String.self, forKey: .role)
        phone = try? container.decodeIfPresent(String.self, forKey: .phone)
        backgroundInfo = try? container.decodeIfPresent(String.self, forKey: .backgroundInfo)
        tags = try? container.decodeIfPresent([String].self, forKey: .tags)

        var companies = ((try? container.decodeIfPresent([Named].self, forKey: .companies)) ?? nil)?.compactMap(\.name) ?? []
        if let single = (try? container.decodeIfPresent(Named.self, forKey: .company)) ?? nil, let name = single.name {
            companies.append(name)
        }
        if let flat = (try? container.decodeIfPresent(String.self, forKey: .companyName)) ?? nil, !flat.isEmpty {
            companies.append(flat)
        }
        companyNames = companies
        circleNames = ((try? container.decodeIfPresent([Named].self, forKey: .circles)) ?? nil)?.compactMap(\.name) ?? []
        customFields = ((try? container.decodeIfPresent([String: SuiteDashValue].self, forKey: .customFields)) ?? nil) ?? [:]
    }

    /// A company or circle: an object with a `name`, or just the name.
    private struct Named: Decodable {
        let name: String?
        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                name = text
            } else {
                struct Object: Decodable { let name: String? }
                name = try Object(from: decoder).name
            }
        }
    }
}

/// What to send when creating or updating a contact. Only the fields that are set are
/// sent: SuiteDash's PUT changes exactly the fields it receives (and `tags` and
/// `custom_fields` sent replace the stored ones).
public struct SuiteDashContactDraft: Encodable, Equatable, Sendable {
    /// `"company": {"name", "create_company_if_not_exists"}`, as public clients send it (not a flat `company_name`).
    public struct Company: Encodable, Equatable, Sendable {
        public var name: String
        public var createIfNotExists: Bool
        public init(name: String, createIfNotExists: Bool = true) { self.name = name; self.createIfNotExists = createIfNotExists }
        enum CodingKeys: String, CodingKey { case name, createIfNotExists = "create_company_if_not_exists" }
    }

    /// `"circles": {"add": [...]}`: circles the contact joins (it leaves none).
    public struct Circles: Encodable, Equatable, Sendable {
        public var add: [String]
        public init(add: [String]) { self.add = add }
    }

    public var firstName: String?
    public var lastName: String?
    public var email: String?
    /// "Lead", "Prospect" or "Client". SuiteDash has no separate lead object: a lead is a contact with role Lead.
    public var role: String?
    public var phone: String?
    public var company: Company?
    public var circles: Circles?
    public var backgroundInfo: String?
    public var tags: [String]?
    /// By the keys `GET /contact/meta` lists under `custom_fields.properties`.
    public var customFields: [String: SuiteDashValue]?
    public var sendWelcomeEmail: Bool?

    public init(firstName: String? = nil, lastName: String? = nil, email: String? = nil, role: String? = nil,
                phone: String? = nil, company: Company? = nil, circles: Circles? = nil, backgroundInfo: String? = nil,
                tags: [String]? = nil, customFields: [String: SuiteDashValue]? = nil, sendWelcomeEmail: Bool? = nil) {
        self.firstName = firstName; self.lastName = lastName; self.email = email; self.role = role
        self.phone = phone; self.company = company; self.circles = circles; self.backgroundInfo = backgroundInfo
        self.tags = tags; self.customFields = customFields; self.sendWelcomeEmail = sendWelcomeEmail
    }

    enum CodingKeys: String, CodingKey {
        case email, role, phone, tags, company, circles
        case firstName = "first_name", lastName = "last_name", backgroundInfo = "background_info"
        case customFields = "custom_fields", sendWelcomeEmail = "send_welcome_email"
    }
}
