import Fluent
import SQLKit

/// Column types that read the same on SQLite and PostgreSQL, so the guide's
/// `VARCHAR(255)`, `BIGINT` and `ENUM(...)` columns stay what the guide says.
extension DatabaseSchema.DataType {
    static func varchar(_ length: Int) -> Self { .sql(raw: "VARCHAR(\(length))") }
}

extension SchemaBuilder {
    /// The guide's `id BIGINT PRIMARY KEY AUTO_INCREMENT`.
    func bigIntID() -> Self {
        field("id", .int64, .identifier(auto: true))
    }

    /// The guide's `created_at` / `updated_at`.
    func timestamps() -> Self {
        field("created_at", .datetime).field("updated_at", .datetime)
    }

    /// An `ENUM(...)` column: a VARCHAR with a CHECK constraint, which both databases enforce.
    func enumeration(_ name: String, _ values: [String], required: Bool = true) -> Self {
        let list = values.map { "'\($0)'" }.joined(separator: ", ")
        var constraints: [DatabaseSchema.FieldConstraint] = [.sql(raw: "CHECK (\"\(name)\" IN (\(list)))")]
        if required { constraints.insert(.required, at: 0) }
        return field(.definition(name: .key(.init(stringLiteral: name)), dataType: .varchar(50), constraints: constraints))
    }
}

extension Database {
    /// Creates a plain index; Fluent's schema builder only knows unique ones.
    func createIndex(_ name: String, on table: String, columns: [String]) async throws {
        guard let sql = self as? any SQLDatabase else { return }
        var builder = sql.create(index: name).on(table)
        for column in columns { builder = builder.column(column) }
        try await builder.run()
    }

    func dropIndex(_ name: String) async throws {
        guard let sql = self as? any SQLDatabase else { return }
        try await sql.drop(index: name).run()
    }
}
