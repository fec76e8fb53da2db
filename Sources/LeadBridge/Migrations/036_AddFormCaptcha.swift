import Fluent
import SQLKit

/// A captcha per form (issue #31): which provider, its public site key, and its secret sealed
/// under APP_KEY like every secret (`SecretResealer` re-seals it with the rest). And the index
/// the per-address sync allowance counts with (`SuiteDashService.holdsOverTheAddressAllowance`).
struct AddFormCaptcha: AsyncMigration {
    var name: String { "036_AddFormCaptcha" }

    func prepare(on database: any Database) async throws {
        // One column a statement: SQLite adds one at a time.
        try await database.schema("forms").field("captcha_provider", .string).update()
        try await database.schema("forms").field("captcha_site_key", .string).update()
        try await database.schema("forms").field("captcha_secret", .string).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX contact_submissions_ip_created_index ON contact_submissions (ip, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP INDEX IF EXISTS contact_submissions_ip_created_index").run()
        }
        try await database.schema("forms").deleteField("captcha_secret").update()
        try await database.schema("forms").deleteField("captcha_site_key").update()
        try await database.schema("forms").deleteField("captcha_provider").update()
    }
}
