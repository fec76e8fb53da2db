import Fluent

struct CreateIntegrationLogs: AsyncMigration {
    var name: String { "005_CreateIntegrationLogs" }

    func prepare(on database: any Database) async throws {
        try await database.schema("integration_logs")
            .bigIntID()
            .field("provider", .varchar(255), .required)
            .field("action", .varchar(255), .required)
            .field("request_id", .varchar(255))
            .enumeration("status", ["pending", "success", "failed"])
            .field("related_type", .varchar(255))
            .field("related_id", .int64)
            .field("payload", .json)
            .field("response", .json)
            .field("error_message", .string)
            .field("http_status", .int32)
            .field("duration_ms", .int32)
            .timestamps()
            .create()
        try await database.createIndex("integration_logs_provider_created_at_index",
                                       on: "integration_logs", columns: ["provider", "created_at"])
        try await database.createIndex("integration_logs_related_index",
                                       on: "integration_logs", columns: ["related_type", "related_id"])
        try await database.createIndex("integration_logs_status_index", on: "integration_logs", columns: ["status"])
    }

    func revert(on database: any Database) async throws {
        try await database.schema("integration_logs").delete()
    }
}
