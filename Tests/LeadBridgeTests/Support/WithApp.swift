import Fluent
import Foundation
import FluentPostgresDriver
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// The database every test runs on: SQLite by default, PostgreSQL when
/// `LEADBRIDGE_TEST_POSTGRES_URL` names a server (scripts/test.sh sets it for its second pass).
enum TestDatabase {
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["LEADBRIDGE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }
    static var isPostgres: Bool { postgresURL != nil }
}

/// The package root, so Leaf finds `Resources/Views` whatever the working directory.
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path + "/"
}()

/// A fixed key, so tests can seal and open values the app stored.
let testAppKey = "base64:" + Data(repeating: 7, count: 32).base64EncodedString()

/// A migrated app on a database of its own, shut down and deleted afterwards.
func withApp(
    clock: AppClock = .system,
    _ adjust: (inout AppConfig) -> Void = { _ in },
    _ test: (Application) async throws -> Void
) async throws {
    let scratch = FileManager.default.temporaryDirectory
        .appendingPathComponent("leadbridge-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: scratch) }

    var config = try AppConfig.load(from: ["APP_KEY": testAppKey, "STORAGE_PATH": scratch])
    config.intake.rateLimit = nil
    // Tests fill forms in milliseconds: the "too fast" spam check is switched on where it is tested.
    config.intake.formMinSeconds = 0
    // Each test's exports in its own folder: the default is relative to the working directory,
    // which every test in the process shares.
    config.suiteDash.exportPath = scratch + "/exports/suitedash"
    let postgres = try await TestPostgresDatabase.createIfConfigured()
    config.databaseURL = postgres?.url
    adjust(&config)

    let app = try await Application.make(.testing)
    app.directory = DirectoryConfiguration(workingDirectory: packageRoot)
    app.logger.logLevel = .warning
    do {
        try await configure(app, config: config, clock: clock)
        try await app.autoMigrate()
        try await test(app)
    } catch {
        try? await app.asyncShutdown()
        try? await postgres?.drop()
        throw error
    }
    try await app.asyncShutdown()
    try await postgres?.drop()
}

/// A throwaway PostgreSQL database per test, so tests run in parallel without seeing each other.
struct TestPostgresDatabase {
    let url: String
    private let name: String
    private let server: URLComponents

    static func createIfConfigured() async throws -> TestPostgresDatabase? {
        guard let base = TestDatabase.postgresURL, let server = URLComponents(string: base) else { return nil }
        let name = "lb_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let database = TestPostgresDatabase(url: Self.url(server, database: String(name)), name: String(name), server: server)
        try await database.admin("CREATE DATABASE \(name)")
        return database
    }

    func drop() async throws {
        try await admin("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    private func admin(_ statement: String) async throws {
        let configuration = PostgresConnection.Configuration(
            host: server.host ?? "127.0.0.1", port: server.port ?? 5432,
            username: server.user ?? "postgres", password: server.password,
            database: String(server.path.dropFirst()).isEmpty ? "postgres" : String(server.path.dropFirst()),
            tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1,
                                                              logger: Logger(label: "test-postgres-admin"))
        do {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: connection.logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    private static func url(_ server: URLComponents, database: String) -> String {
        var components = server
        components.path = "/" + database
        return components.string ?? ""
    }
}
