import Fluent
import Foundation

/// One CSV export for SuiteDash's Contacts > Import wizard.
final class SuiteDashExport: Model, @unchecked Sendable {
    static let schema = "suitedash_exports"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "file_name") var fileName: String
    @Field(key: "rows") var rows: Int
    @Field(key: "bytes") var bytes: Int
    @OptionalField(key: "sha256") var sha256: String?
    /// What was asked for, in words ("not yet exported, created since 2026-11-01").
    @OptionalField(key: "filter") var filter: String?
    @OptionalField(key: "created_by") var createdBy: String?
    /// writing, ready or failed.
    @Field(key: "status") var status: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}
