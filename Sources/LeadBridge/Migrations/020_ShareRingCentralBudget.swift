import Fluent

/// RingCentral's rate limits counted across every process (`DatabaseRingCentralBudget`): the
/// request slots taken in each group's current window, and each group's pause after a 429.
struct ShareRingCentralBudget: AsyncMigration {
    var name: String { "020_ShareRingCentralBudget" }

    func prepare(on database: any Database) async throws {
        try await database.schema("ringcentral_rate_slots")
            .bigIntID()
            .field("rate_group", .varchar(20), .required)
            .field("taken_at", .double, .required)
            .create()
        try await database.createIndex("ringcentral_rate_slots_group_index", on: "ringcentral_rate_slots",
                                       columns: ["rate_group", "taken_at"])
        try await database.schema("ringcentral_rate_pauses")
            .field("rate_group", .varchar(20), .identifier(auto: false))
            .field("paused_until", .double, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("ringcentral_rate_pauses").delete()
        try await database.schema("ringcentral_rate_slots").delete()
    }
}
