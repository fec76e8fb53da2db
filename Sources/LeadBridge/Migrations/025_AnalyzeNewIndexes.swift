import Fluent
import SQLKit

/// The query planners learn the indexes 021 and 024 added to `contact_submissions` (the sync
/// speed expression, first contact, those waiting), as 019 did for its own. Until an ANALYZE
/// PostgreSQL has no statistics for an expression index and guesses: "Synced within a minute"
/// read and sorted nearly every synced row instead of walking the index, until autovacuum
/// happened to analyze the table, which a table that changes little may wait for a long time. SQLite, with statistics for the older
/// indexes only, can likewise prefer those.
struct AnalyzeNewIndexes: AsyncMigration {
    var name: String { "025_AnalyzeNewIndexes" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ANALYZE contact_submissions").run()
    }

    /// Statistics are not a schema change: nothing to undo.
    func revert(on database: any Database) async throws {}
}
