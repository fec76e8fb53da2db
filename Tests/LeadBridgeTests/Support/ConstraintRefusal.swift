import Testing

/// Which of the database's own rules refused a statement.
enum ConstraintRule: String {
    case check, unique

    /// How SQLite ("CHECK constraint failed", "UNIQUE constraint failed") and PostgreSQL
    /// ("violates check constraint", "duplicate key value violates unique constraint") word it.
    func matches(_ message: String) -> Bool {
        let message = message.lowercased()
        switch self {
        case .check: return message.contains("check constraint")
        case .unique: return message.contains("unique constraint")
        }
    }
}

/// Runs a statement that the database must refuse under `rule`: any other error (a typo in
/// the SQL, a missing column) fails the test instead of passing it.
func expectRefusal(by rule: ConstraintRule, sourceLocation: SourceLocation = #_sourceLocation,
                   _ statement: () async throws -> Void) async {
    do {
        try await statement()
        Issue.record("The statement was accepted; the \(rule.rawValue) rule should have refused it.", sourceLocation: sourceLocation)
    } catch {
        // PostgreSQL's errors hide the server's message from `description`; `reflecting` shows it.
        let message = String(reflecting: error)
        #expect(rule.matches(message), "refused for another reason: \(message)", sourceLocation: sourceLocation)
    }
}
