import Foundation

/// The integration guide's operations, as SuiteDash really works.
extension SuiteDashClient {
    /// A person to put in SuiteDash, in the guide's terms.
    public struct ContactDetails: Sendable, Equatable {
        public var firstName: String
        public var lastName: String?
        /// Sent as the last name when there is none: SuiteDash requires one (public clients
        /// refuse to send a contact without it), and a lead must never fail for lack of it. A
        /// contact still carrying the placeholder gets the real name once one arrives.
        public var lastNamePlaceholder: String
        /// Nil for a phone-only lead: SuiteDash asks for an email unless the role is Lead.
        public var email: String?
        public var phone: String?
        public var companyName: String?
        /// The guide's `notes`: SuiteDash's `background_info`.
        public var notes: String?
        public var tags: [String]
        /// Circles a new contact joins, by name. Only on creation: an existing contact's circles
        /// are the office's to manage (someone taken out of a circle stays out).
        public var circles: [String]
        /// Custom field values by their `/contact/meta` key.
        public var customFields: [String: String]
        /// Whether a contact found without an email may gain this one. Off unless an admin
        /// confirmed it: an email typed into a form proves nothing, and a portal invitation or a
        /// reply would go to whoever typed it.
        public var mayAddEmail: Bool = false

        public static let defaultLastNamePlaceholder = "(not given)"

        public init(firstName: String, lastName: String?, email: String?, phone: String? = nil,
                    companyName: String? = nil, notes: String? = nil, tags: [String] = [], circles: [String] = [],
                    customFields: [String: String] = [:], lastNamePlaceholder: String = Self.defaultLastNamePlaceholder) {
            self.firstName = firstName; self.lastName = lastName; self.email = email; self.phone = phone
            self.companyName = companyName; self.notes = notes; self.tags = tags; self.circles = circles
            self.customFields = customFields; self.lastNamePlaceholder = lastNamePlaceholder
        }

        /// The last name to send: the person's, else the placeholder.
        var lastNameToSend: String {
            if let lastName, !lastName.trimmingCharacters(in: .whitespaces).isEmpty { return lastName }
            return lastNamePlaceholder
        }
    }

    public struct UpsertResult: Sendable, Equatable {
        public var uid: String
        /// The email the contact holds now (nil: none).
        public var email: String? = nil
        public var created: Bool
        /// False when the contact already said everything, so nothing was sent.
        public var changed: Bool
        /// Where the contact already held a value and the enquiry said another: kept as SuiteDash
        /// has it, for an admin to apply or leave.
        public var differences: [FieldDifference] = []
    }

    /// A field of an existing contact that the enquiry would have changed. A visitor is not an
    /// identity: what they typed never overwrites what SuiteDash holds, so it is offered instead.
    public struct FieldDifference: Sendable, Equatable, Codable {
        public enum Field: Sendable, Equatable, Hashable, Codable {
            case firstName, lastName, phone, company
            /// A custom field by its `/contact/meta` key.
            case customField(String)

            /// How it is stored: `first_name`, `custom:<key>`.
            public var key: String {
                switch self {
                case .firstName: "first_name"
                case .lastName: "last_name"
                case .phone: "phone"
                case .company: "company"
                case .customField(let key): "custom:" + key
                }
            }

            public init?(key: String) {
                switch key {
                case "first_name": self = .firstName
                case "last_name": self = .lastName
                case "phone": self = .phone
                case "company": self = .company
                default:
                    guard key.hasPrefix("custom:"), key.count > "custom:".count else { return nil }
                    self = .customField(String(key.dropFirst("custom:".count)))
                }
            }
        }

        public var field: Field
        /// What SuiteDash holds.
        public var suiteDashValue: String
        /// What the enquiry said.
        public var enquiryValue: String

        public init(field: Field, suiteDashValue: String, enquiryValue: String) {
            self.field = field; self.suiteDashValue = suiteDashValue; self.enquiryValue = enquiryValue
        }
    }

    /// The guide's `createOrUpdateContact`. Looks the contact up (by `knownUID` when LeadBridge
    /// knows it, else by email; SuiteDash cannot be searched by phone, so a phone-only lead is
    /// found only by the uid LeadBridge remembered); a contact found is only added to (empty
    /// fields filled, the enquiry appended, tags joined: SuiteDash's PUT replaces tags, so the
    /// union is sent), and a field it holds is never replaced but returned as a difference;
    /// sends nothing when there is nothing to add; creates a contact with role Lead and no
    /// welcome email otherwise. Never
    /// relies on a create failing for a duplicate: SuiteDash does not document one.
    /// `onCreated` hears a new contact's uid as soon as SuiteDash answers the create, before any
    /// further call that could fail: the caller remembers it, so a retry finds the contact again.
    /// `beforeCreate` runs just before the one request that makes a contact (to note that one
    /// may now exist), `onCreated` as soon as SuiteDash named it.
    public func createOrUpdateContact(_ details: ContactDetails, knownUID: String? = nil,
                                      beforeCreate: @Sendable () async throws -> Void = {},
                                      onCreated: @Sendable (String) async throws -> Void = { _ in }) async throws -> UpsertResult {
        // A known uid whose contact is gone (deleted or merged in SuiteDash) falls back to the email.
        var found: SuiteDashContact?
        if let knownUID { found = try await contact(knownUID) }
        if found == nil, let email = details.email, email != knownUID { found = try await contact(email) }
        if let existing = found {
            let draft = Self.changes(from: existing, to: details)
            let differences = Self.differences(from: existing, to: details)
            guard draft != SuiteDashContactDraft() else {
                return UpsertResult(uid: existing.uid, email: existing.email, created: false, changed: false, differences: differences)
            }
            _ = try await updateContact(existing.uid, draft)
            return UpsertResult(uid: existing.uid, email: draft.email ?? existing.email, created: false, changed: true,
                                differences: differences)
        }
        try await beforeCreate()
        let created = try await createContact(SuiteDashContactDraft(
            firstName: details.firstName, lastName: details.lastNameToSend, email: details.email, role: "Lead",
            phone: details.phone, company: details.companyName.map { .init(name: $0) },
            circles: details.circles.isEmpty ? nil : .init(add: details.circles), backgroundInfo: details.notes,
            tags: details.tags.isEmpty ? nil : details.tags,
            customFields: details.customFields.isEmpty ? nil : details.customFields.mapValues { .string($0) }, sendWelcomeEmail: false))
        try await onCreated(created.uid)
        // Whether SuiteDash keeps tags sent on create is not documented: if they did not stick, set them.
        if !details.tags.isEmpty, Set(created.tags ?? []) != Set(details.tags) {
            _ = try await updateContact(created.uid, SuiteDashContactDraft(tags: Self.union(created.tags ?? [], details.tags)))
        }
        return UpsertResult(uid: created.uid, email: created.email ?? details.email, created: true, changed: true)
    }

    /// Creates or updates the lead (the guide's `createLeadFromContactSubmission`). SuiteDash has no lead object: a lead is a
    /// contact whose role is Lead. So this is `createOrUpdateContact` with the enquiry (source,
    /// service interest, message) written into the contact's `background_info`.
    /// `moreLines`: further "Label: value" lines (a form's extra fields, where the lead came from).
    public func upsertLead(_ details: ContactDetails, source: String, serviceInterest: String?,
                           message: String?, moreLines: [String] = [], knownUID: String? = nil,
                           beforeCreate: @Sendable () async throws -> Void = {},
                           onCreated: @Sendable (String) async throws -> Void = { _ in }) async throws -> UpsertResult {
        var lead = details
        lead.notes = Self.enquiryNote(source: source, serviceInterest: serviceInterest, message: message, moreLines: moreLines)
        return try await createOrUpdateContact(lead, knownUID: knownUID, beforeCreate: beforeCreate, onCreated: onCreated)
    }

    /// The guide's `attachTagOrCategory`: SuiteDash has no add-one-tag call, so this reads the
    /// contact and sends the union (nothing when every tag is already there).
    @discardableResult
    public func attachTagOrCategory(_ uid: String, _ tags: [String]) async throws -> Bool {
        guard let existing = try await contact(uid) else { throw SuiteDashError.notFound("contact \(uid)") }
        let merged = Self.union(existing.tags ?? [], tags)
        guard merged.count != (existing.tags ?? []).count else { return false }
        _ = try await updateContact(uid, SuiteDashContactDraft(tags: merged))
        return true
    }

    // MARK: Helpers

    /// The enquiry as it reads in SuiteDash's background info.
    public static func enquiryNote(source: String, serviceInterest: String?, message: String?, moreLines: [String] = []) -> String {
        var lines = ["Website enquiry (source: \(source))"]
        if let serviceInterest { lines.append("Service interest: \(serviceInterest)") }
        lines.append(contentsOf: moreLines)
        if let message, !message.isEmpty { lines.append(""); lines.append(message) }
        return lines.joined(separator: "\n")
    }

    /// What an enquiry adds to a contact SuiteDash already holds, so a lead it holds as it is
    /// costs no PUT. Only empty fields are filled (a last name still the placeholder counts as
    /// empty); notes are appended to what SuiteDash holds; tags and custom fields are sent whole
    /// (SuiteDash's PUT replaces both), with what the contact has kept. An email is added only
    /// when `mayAddEmail` says an admin confirmed it. Circles are for new contacts only: someone
    /// the office took out of a circle stays out.
    static func changes(from existing: SuiteDashContact, to details: ContactDetails) -> SuiteDashContactDraft {
        var draft = SuiteDashContactDraft()
        if let phone = details.phone, isBlank(existing.phone) { draft.phone = phone }
        if details.mayAddEmail, let email = details.email, isBlank(existing.email) { draft.email = email }
        if let company = nonBlank(details.companyName), existing.companyNames.allSatisfy(isBlank) {
            draft.company = .init(name: company)
        }
        if isBlank(existing.firstName) { draft.firstName = details.firstName }
        let existingLast = existing.lastName ?? ""
        if isBlank(existingLast) || (existingLast == details.lastNamePlaceholder && details.lastNameToSend != existingLast) {
            draft.lastName = details.lastNameToSend
        }
        if let notes = details.notes, !(existing.backgroundInfo ?? "").contains(notes) {
            draft.backgroundInfo = [existing.backgroundInfo, notes].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "\n\n")
        }
        let merged = union(existing.tags ?? [], details.tags)
        if merged.count != (existing.tags ?? []).count { draft.tags = merged }
        // The contact's custom fields go back exactly as read, of whatever type, with only the
        // empty ones filled: SuiteDash's PUT replaces the whole object.
        let filled = details.customFields.filter { isBlank(existing.customFields[$0.key]?.text) && !$0.value.isEmpty }
        if !filled.isEmpty {
            draft.customFields = existing.customFields.merging(filled.mapValues { .string($0) }) { _, new in new }
        }
        return draft
    }

    /// The fields the contact holds that the enquiry says otherwise: never sent, offered to an
    /// admin. Names and companies compare without case, phones by their digits.
    public static func differences(from existing: SuiteDashContact, to details: ContactDetails) -> [FieldDifference] {
        var found: [FieldDifference] = []
        func differ(_ field: FieldDifference.Field, _ held: String?, _ said: String?, same: (String, String) -> Bool) {
            guard let held = nonBlank(held), let said = nonBlank(said), !same(held, said) else { return }
            found.append(FieldDifference(field: field, suiteDashValue: held, enquiryValue: said))
        }
        let sameText: (String, String) -> Bool = { $0.caseInsensitiveCompare($1) == .orderedSame }
        differ(.firstName, existing.firstName, details.firstName, same: sameText)
        if existing.lastName != details.lastNamePlaceholder {
            differ(.lastName, existing.lastName, details.lastName, same: sameText)
        }
        differ(.phone, existing.phone, details.phone) { $0.filter(\.isNumber) == $1.filter(\.isNumber) }
        if let company = nonBlank(details.companyName), let held = existing.companyNames.first(where: { !isBlank($0) }),
           !existing.companyNames.contains(where: { sameText($0.trimmingCharacters(in: .whitespaces), company) }) {
            found.append(FieldDifference(field: .company, suiteDashValue: held, enquiryValue: company))
        }
        for (key, value) in details.customFields.sorted(by: { $0.key < $1.key }) {
            differ(.customField(key), existing.customFields[key]?.text, value, same: ==)
        }
        return found
    }

    /// The one change an admin chose to apply: the enquiry's value in place of SuiteDash's.
    /// The contact is read first, so custom fields go back whole with only that one replaced.
    public func apply(_ difference: FieldDifference, to uid: String) async throws {
        guard let existing = try await contact(uid) else { throw SuiteDashError.notFound("contact \(uid)") }
        var draft = SuiteDashContactDraft()
        switch difference.field {
        case .firstName: draft.firstName = difference.enquiryValue
        case .lastName: draft.lastName = difference.enquiryValue
        case .phone: draft.phone = difference.enquiryValue
        case .company: draft.company = .init(name: difference.enquiryValue)
        case .customField(let key):
            draft.customFields = existing.customFields.merging([key: .string(difference.enquiryValue)]) { _, new in new }
        }
        _ = try await updateContact(uid, draft)
    }

    private static func isBlank(_ text: String?) -> Bool { nonBlank(text) == nil }

    private static func nonBlank(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    /// The existing tags, then new ones in order, without repeats (case kept as first seen).
    static func union(_ existing: [String], _ added: [String]) -> [String] {
        var seen = Set(existing.map { $0.lowercased() })
        var result = existing
        for tag in added where seen.insert(tag.lowercased()).inserted { result.append(tag) }
        return result
    }
}
