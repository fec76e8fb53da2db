import Fluent

struct CreateContactSubmissions: AsyncMigration {
    var name: String { "003_CreateContactSubmissions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("contact_submissions")
            .bigIntID()
            // SQLite does not enforce VARCHAR lengths; the CHECK makes both databases refuse a blank or overlong name.
            .field("first_name", .varchar(100), .required, .sql(raw: "CHECK (length(first_name) BETWEEN 1 AND 100)"))
            .field("last_name", .varchar(100))
            .field("email", .varchar(254))
            .field("phone", .varchar(20))
            .field("company", .varchar(200))
            .field("service_interest", .varchar(100))
            .field("message", .string)
            .field("source", .varchar(100), .required)
            .field("consent", .bool, .required, .sql(.default(false)))
            .field("consent_at", .datetime)
            .field("ip", .varchar(45))
            .field("user_agent", .varchar(512))
            // The guide's four; 031 adds `spam`.
            .enumeration("status", ["pending", "synced", "exported", "failed"])
            .field("external_id", .varchar(255))
            .field("synced_at", .datetime)
            .field("exported_at", .datetime)
            .timestamps()
            .create()
        for column in ["status", "email", "phone", "created_at"] {
            try await database.createIndex("contact_submissions_\(column)_index",
                                           on: "contact_submissions", columns: [column])
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("contact_submissions").delete()
    }
}
