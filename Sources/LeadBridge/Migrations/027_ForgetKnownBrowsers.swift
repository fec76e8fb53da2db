import Fluent
import SQLKit

/// Each admin's known-browser generation (`KnownDevice`): a known-browser cookie names the
/// generation it was issued in, and a password reset or "sign out everywhere" moves the account
/// to the next one, so every browser that signed in before counts as new again. Numbered 027:
/// 026 is taken on the main line by another change of the same issue.
struct ForgetKnownBrowsers: AsyncMigration {
    var name: String { "027_ForgetKnownBrowsers" }

    func prepare(on database: any Database) async throws {
        try await database.schema("users").field("known_device_generation", .int, .required, .sql(.default(0))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("users").deleteField("known_device_generation").update()
    }
}
