import Fluent

/// The durable job queue: jobs waiting or running, jobs that ran out of attempts, and the
/// last period each recurring task was enqueued for.
struct CreateJobs: AsyncMigration {
    var name: String { "009_CreateJobs" }

    func prepare(on database: any Database) async throws {
        try await database.schema("jobs")
            .bigIntID()
            .field("kind", .varchar(100), .required)
            .field("payload", .string, .required)
            .field("attempts", .int32, .required, .sql(.default(0)))
            .field("max_attempts", .int32, .required)
            .field("available_at", .datetime, .required)
            .field("reserved_by", .varchar(100))
            .field("reserved_until", .datetime)
            // An integration the job needs but cannot use (bad credentials): it waits, unfailed.
            .field("waiting_for", .varchar(50))
            .field("last_error", .string)
            // One pending job per key (say, one SuiteDash sync per enquiry).
            .field("unique_key", .varchar(255))
            .timestamps()
            .unique(on: "unique_key")
            .create()
        try await database.createIndex("jobs_available_at_index", on: "jobs", columns: ["available_at", "id"])
        try await database.createIndex("jobs_waiting_for_index", on: "jobs", columns: ["waiting_for"])

        try await database.schema("failed_jobs")
            .bigIntID()
            .field("job_id", .int64, .required)
            .field("kind", .varchar(100), .required)
            .field("payload", .string, .required)
            .field("attempts", .int32, .required)
            .field("error", .string, .required)
            .field("unique_key", .varchar(255))
            .field("failed_at", .datetime, .required)
            .timestamps()
            .create()
        try await database.createIndex("failed_jobs_failed_at_index", on: "failed_jobs", columns: ["failed_at"])

        try await database.schema("scheduled_tasks")
            .field("name", .varchar(100), .identifier(auto: false))
            .field("last_period", .int64, .required)
            .field("updated_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("scheduled_tasks").delete()
        try await database.schema("failed_jobs").delete()
        try await database.schema("jobs").delete()
    }
}
