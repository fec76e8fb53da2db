import Fluent

/// The search finds what a form's extra fields said ("budget 10k", a project's name): the index
/// is built again on a document that ends with `extra_fields`.
struct SearchExtraFields: AsyncMigration {
    var name: String { "030_SearchExtraFields" }

    func prepare(on database: any Database) async throws {
        try await EnquirySearchIndex.drop(on: database)
        try await EnquirySearchIndex.create(documentSQLite: EnquirySearch.document(.sqlite),
                                            documentPostgres: EnquirySearch.document(.postgres),
                                            updateOf: "first_name, last_name, email, company, phone, extra_fields", on: database)
    }

    func revert(on database: any Database) async throws {
        try await EnquirySearchIndex.drop(on: database)
        try await EnquirySearchIndex.create(documentSQLite: EnquirySearch.documentBefore030(.sqlite),
                                            documentPostgres: EnquirySearch.documentBefore030(.postgres),
                                            updateOf: "first_name, last_name, email, company, phone", on: database)
    }
}
