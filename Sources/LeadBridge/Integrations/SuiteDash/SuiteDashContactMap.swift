import Fluent
import Foundation
import SQLKit

/// LeadBridge's memory of which SuiteDash contact an email or a phone number belongs to
/// (`suitedash_contacts`). SuiteDash can be asked for a contact by email but not by phone, so
/// without it every enquiry from a phone-only lead would make a new contact.
struct SuiteDashContactMap: Sendable {
    let database: any Database

    static func key(email: String) -> String { "email:" + email.lowercased() }
    static func key(phone: String) -> String { "phone:" + phone }

    func uid(email: String) async throws -> String? { try await uid(Self.key(email: email)) }
    func uid(phone: String) async throws -> String? { try await uid(Self.key(phone: phone)) }

    /// An email LeadBridge knows this contact by (lower case); nil for a phone-only contact.
    func email(of uid: String) async throws -> String? {
        try await database.sql().raw("""
            SELECT contact_key FROM suitedash_contacts WHERE uid = \(bind: uid) AND contact_key LIKE 'email:%' ORDER BY contact_key LIMIT 1
            """).first()?.decode(column: "contact_key", as: String.self).dropFirst("email:".count).description
    }

    private func uid(_ key: String) async throws -> String? {
        try await database.sql().raw("SELECT uid FROM suitedash_contacts WHERE contact_key = \(bind: key)")
            .first()?.decode(column: "uid", as: String.self)
    }

    /// What stands in for a uid while a phone-only contact is being created: SuiteDash cannot be
    /// asked for a contact by phone, so if the worker dies before the answer is remembered, the
    /// next attempt finds this instead of nothing and does not make a second contact.
    static let creatingPrefix = "creating:"

    func markCreating(phone: String, now: Date) async throws {
        try await remember(uid: Self.creatingPrefix + String(Int(now.timeIntervalSince1970)), email: nil, phone: phone, now: now)
    }

    /// Forgets the marker (the create certainly failed, or an admin says the contact is not there).
    func clearCreating(phone: String) async throws {
        try await database.sql().raw("""
            DELETE FROM suitedash_contacts WHERE contact_key = \(bind: Self.key(phone: phone)) AND uid LIKE 'creating:%'
            """).run()
    }

    /// When a create for this phone may have happened without its answer being remembered.
    func uncertainCreate(phone: String) async throws -> Date? {
        guard let uid = try await uid(phone: phone), uid.hasPrefix(Self.creatingPrefix) else { return nil }
        return Double(uid.dropFirst(Self.creatingPrefix.count)).map(Date.init(timeIntervalSince1970:)) ?? .distantPast
    }

    /// Points the email and the phone (those given) at this contact.
    func remember(uid: String, email: String?, phone: String?, now: Date) async throws {
        let sql = try database.sql()
        for key in [email.map(Self.key(email:)), phone.map(Self.key(phone:))].compactMap({ $0 }) {
            try await sql.raw("""
                INSERT INTO suitedash_contacts (contact_key, uid, updated_at) VALUES (\(bind: key), \(bind: uid), \(bind: now))
                ON CONFLICT (contact_key) DO UPDATE SET uid = excluded.uid, updated_at = excluded.updated_at
                """).run()
        }
    }
}

/// An enquiry whose phone belongs to one SuiteDash contact and whose email to another: held
/// until an admin chooses which contact it joins (`suitedash_contact_conflicts`).
struct SuiteDashContactConflict: Sendable, Equatable {
    enum Decision: String, Sendable { case email, phone }

    let enquiryID: Int
    let phoneContactUID: String
    let emailContactUID: String
    var decision: Decision?

    static func find(enquiryID: Int, on db: any Database) async throws -> SuiteDashContactConflict? {
        guard let row = try await db.sql().raw("""
            SELECT phone_contact_uid, email_contact_uid, decision FROM suitedash_contact_conflicts
            WHERE contact_submission_id = \(bind: enquiryID)
            """).first() else { return nil }
        return SuiteDashContactConflict(
            enquiryID: enquiryID, phoneContactUID: try row.decode(column: "phone_contact_uid", as: String.self),
            emailContactUID: try row.decode(column: "email_contact_uid", as: String.self),
            decision: try row.decode(column: "decision", as: String?.self).flatMap(Decision.init(rawValue:)))
    }

    func save(on db: any Database, now: Date) async throws {
        try await db.sql().raw("""
            INSERT INTO suitedash_contact_conflicts (contact_submission_id, phone_contact_uid, email_contact_uid, decision, created_at, updated_at)
            VALUES (\(bind: enquiryID), \(bind: phoneContactUID), \(bind: emailContactUID), \(bind: decision?.rawValue), \(bind: now), \(bind: now))
            ON CONFLICT (contact_submission_id) DO UPDATE SET phone_contact_uid = excluded.phone_contact_uid,
              email_contact_uid = excluded.email_contact_uid, decision = excluded.decision, updated_at = excluded.updated_at
            """).run()
    }

    static func delete(enquiryID: Int, on db: any Database) async throws {
        try await db.sql().raw("DELETE FROM suitedash_contact_conflicts WHERE contact_submission_id = \(bind: enquiryID)").run()
    }
}
