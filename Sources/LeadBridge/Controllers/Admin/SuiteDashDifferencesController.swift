import Fluent
import SuiteDashKit
import Vapor

/// An enquiry's differences from its SuiteDash contact: SuiteDash keeps what it holds unless an
/// admin, having looked, applies what the enquiry said (one field at a time).
struct SuiteDashDifferencesController {
    /// One difference as the enquiry's page shows it.
    struct Item: Encodable {
        let field: String
        let label: String
        /// The label in a sentence: "first name", "phone".
        let noun: String
        let suiteDash: String
        let enquiry: String
        let contact: String
    }

    static func items(enquiryID: Int, on db: any Database) async throws -> [Item] {
        try await SuiteDashDifferences(database: db).all(enquiryID: enquiryID).map {
            Item(field: $0.difference.field.key, label: SuiteDashDifferences.label($0.difference.field),
                 noun: SuiteDashDifferences.noun($0.difference.field),
                 suiteDash: $0.difference.suiteDashValue, enquiry: $0.difference.enquiryValue, contact: $0.contactUID)
        }
    }

    /// "Apply": the enquiry's value replaces SuiteDash's for that one field, now.
    @Sendable func apply(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int.self), try await Enquiry.find(id, on: req.db) != nil else {
            throw Abort(.notFound, reason: "There is no enquiry with that number; it may have been deleted.")
        }
        struct Form: Decodable { let field: String }
        guard let key = (try? req.content.decode(Form.self))?.field, let field = SuiteDashClient.FieldDifference.Field(key: key) else {
            throw Abort(.badRequest, reason: "Choose one of the differences listed on the enquiry's page to apply.")
        }
        let differences = SuiteDashDifferences(database: req.db)
        guard let row = try await differences.all(enquiryID: id).first(where: { $0.difference.field == field }) else {
            throw Abort(.conflict, reason: "That difference is no longer waiting: it was applied already, or a later sync found SuiteDash agreeing.")
        }
        let suiteDash = req.services.suiteDash
        let configuration = try await suiteDash.settings.load()
        guard configuration.syncsAutomatically, let credentials = configuration.credentials else {
            throw Abort(.conflict, reason: EnquirySync.notSetUp)
        }
        let client = suiteDash.client(configuration, credentials: credentials, relatedType: IntegrationLog.aboutEnquiry, relatedID: id)
        do {
            try await client.apply(row.difference, to: row.contactUID)
        } catch let error as SuiteDashError {
            throw Abort(.badGateway, reason: "SuiteDash did not take the change, so it still holds \(row.difference.suiteDashValue): \(error.description)")
        }
        try await differences.remove(enquiryID: id, field: field)
        let label = SuiteDashDifferences.label(field)
        return req.redirect(to: AdminURL.enquiry(.value(id)).path,
                            notice: "\(label) applied: SuiteDash contact \(row.contactUID) now holds \(row.difference.enquiryValue).")
    }
}
