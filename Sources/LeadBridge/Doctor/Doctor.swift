import Fluent
import Foundation
import Vapor

/// `leadbridge doctor` and the dashboard's "Check everything": read-only probes of this install
/// and of the real SuiteDash and RingCentral accounts it is configured for. Nothing is created,
/// changed or sent to a provider beyond reads (the one thing that may change is an access token
/// that was due for its renewal anyway); each answer is a ✓, ✗ or ? with one sentence.
struct Doctor {
    let application: Application

    func run() async -> [DoctorCheck] {
        var checks = await system()
        // Settings live in tables the migrations make: before them, every other answer would mislead.
        guard checks.first(where: { $0.name == Self.migrationsCheck })?.verdict == .pass else {
            let sentence = "Not checked: the database is not migrated yet (leadbridge migrate)."
            return checks + [.unknown("SuiteDash", "settings", sentence), .unknown("RingCentral", "settings", sentence)]
        }
        checks += await suiteDash()
        checks += await ringCentral()
        return checks
    }

    static let migrationsCheck = "migrations current"

    var services: AppServices { application.services }
    var db: any Database { application.db }
    var now: Date { services.clock.now() }
}
