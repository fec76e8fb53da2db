import Fluent
import Foundation

/// A job waiting to run, or running under a lease.
final class QueuedJob: Model, @unchecked Sendable {
    static let schema = "jobs"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "kind") var kind: String
    /// The job's typed payload as JSON text.
    @Field(key: "payload") var payload: String
    @Field(key: "attempts") var attempts: Int
    @Field(key: "max_attempts") var maxAttempts: Int
    @Field(key: "available_at") var availableAt: Date
    @OptionalField(key: "reserved_by") var reservedBy: String?
    @OptionalField(key: "reserved_until") var reservedUntil: Date?
    @OptionalField(key: "waiting_for") var waitingFor: String?
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "unique_key") var uniqueKey: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// A job that used up its attempts or failed for good; the admin can send it back.
final class FailedJob: Model, @unchecked Sendable {
    static let schema = "failed_jobs"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "job_id") var jobID: Int
    @Field(key: "kind") var kind: String
    @Field(key: "payload") var payload: String
    @Field(key: "attempts") var attempts: Int
    @Field(key: "error") var error: String
    @OptionalField(key: "unique_key") var uniqueKey: String?
    @Field(key: "failed_at") var failedAt: Date
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}
