import Fluent
import Foundation

/// A rule an admin wrote in Admin > Spam: what in an enquiry makes it spam. Every rule is
/// visible there; LeadBridge learns nothing silently.
final class SpamRule: Model, @unchecked Sendable {
    static let schema = "spam_rules"

    enum Kind: String, Codable, CaseIterable, Sendable {
        /// Words or a phrase anywhere in the name, company, message or extra fields (any case).
        case phrase
        /// More than this many links in the message and extra fields.
        case links
        /// An email at this domain (or below it).
        case emailDomain = "email_domain"
        /// This email address.
        case email
        /// An address or network (CIDR) the enquiry came from.
        case network

        var label: String {
            switch self {
            case .phrase: "Words or phrase"
            case .links: "More than N links"
            case .emailDomain: "Email domain"
            case .email: "Email address"
            case .network: "Address or network"
            }
        }
    }

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "kind") var kind: Kind
    @Field(key: "value") var value: String
    @OptionalField(key: "created_by") var createdBy: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(kind: Kind, value: String, createdBy: String?) {
        self.kind = kind; self.value = value; self.createdBy = createdBy
    }

    /// The value as the rule keeps it, or a sentence saying what to type.
    static func normalize(_ kind: Kind, _ typed: String) -> Result<String, SpamRuleProblem> {
        let text = TextSanitizer.singleLine(typed).trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return .failure(.init(sentence: "Type what the rule looks for.")) }
        guard text.count <= 200 else { return .failure(.init(sentence: "Keep a rule under 200 characters.")) }
        switch kind {
        case .phrase:
            return .success(text.lowercased())
        case .links:
            guard let count = Int(text), count >= 0, count <= 100 else {
                return .failure(.init(sentence: "Write how many links are too many, as a whole number like 2."))
            }
            return .success(String(count))
        case .emailDomain:
            let domain = text.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "@."))
            guard domain.contains("."), !domain.contains("@"), !domain.contains(" ") else {
                return .failure(.init(sentence: "Write a domain like example.com (without the part before @)."))
            }
            return .success(domain)
        case .email:
            guard let email = EmailAddress.normalize(text) else {
                return .failure(.init(sentence: "This doesn't look like an email address; check it reads like name@example.com."))
            }
            return .success(email)
        case .network:
            guard CIDR(text) != nil, !text.contains(" ") else {
                return .failure(.init(sentence: "Write an address (203.0.113.7) or a network (203.0.113.0/24, 2001:db8::/32)."))
            }
            return .success(text.lowercased())
        }
    }
}

struct SpamRuleProblem: Error, Equatable { let sentence: String }
