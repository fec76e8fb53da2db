import Fluent
import Foundation
import SQLKit
import SuiteDashKit

/// Where a SuiteDash contact already held a value and an enquiry said another
/// (`suitedash_differences`): what a visitor typed never overwrites a CRM record, so each
/// difference waits on the enquiry's page for an admin to apply it, or to leave it.
struct SuiteDashDifferences: Sendable {
    let database: any Database

    struct Row: Sendable, Equatable {
        let difference: SuiteDashClient.FieldDifference
        let contactUID: String
    }

    /// Replaces what the enquiry's last sync found: a sync that finds none clears them.
    func replace(enquiryID: Int, contactUID: String, with differences: [SuiteDashClient.FieldDifference], now: Date) async throws {
        let sql = try database.sql()
        try await sql.delete(from: "suitedash_differences").where("contact_submission_id", .equal, SQLBind(enquiryID)).run()
        guard !differences.isEmpty else { return }
        var insert = sql.insert(into: "suitedash_differences")
            .columns("contact_submission_id", "field", "contact_uid", "suitedash_value", "enquiry_value", "created_at")
        for difference in differences {
            insert = insert.values(SQLBind(enquiryID), SQLBind(difference.field.key), SQLBind(contactUID),
                                   SQLBind(difference.suiteDashValue), SQLBind(difference.enquiryValue), SQLBind(now))
        }
        try await insert.run()
    }

    func all(enquiryID: Int) async throws -> [Row] {
        try await database.sql().raw("""
            SELECT field, contact_uid, suitedash_value, enquiry_value FROM suitedash_differences
            WHERE contact_submission_id = \(bind: enquiryID) ORDER BY field
            """).all().compactMap { row in
            guard let field = SuiteDashClient.FieldDifference.Field(key: try row.decode(column: "field", as: String.self)) else { return nil }
            return Row(difference: .init(field: field, suiteDashValue: try row.decode(column: "suitedash_value", as: String.self),
                                         enquiryValue: try row.decode(column: "enquiry_value", as: String.self)),
                       contactUID: try row.decode(column: "contact_uid", as: String.self))
        }
    }

    func remove(enquiryID: Int, field: SuiteDashClient.FieldDifference.Field) async throws {
        try await database.sql().delete(from: "suitedash_differences")
            .where("contact_submission_id", .equal, SQLBind(enquiryID)).where("field", .equal, SQLBind(field.key)).run()
    }

    /// The label in the middle of a sentence.
    static func noun(_ field: SuiteDashClient.FieldDifference.Field) -> String {
        if case .customField(let key) = field { return "custom field \(key)" }
        return label(field).lowercased()
    }

    /// How a field reads to an admin.
    static func label(_ field: SuiteDashClient.FieldDifference.Field) -> String {
        switch field {
        case .firstName: "First name"
        case .lastName: "Last name"
        case .phone: "Phone"
        case .company: "Company"
        case .customField(let key): "Custom field \(key)"
        }
    }
}
