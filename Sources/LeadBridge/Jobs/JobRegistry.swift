import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Job kinds by name, each with a closure that decodes its payload and runs it.
final class JobRegistry: Sendable {
    typealias Runner = @Sendable (_ payload: String, _ context: JobContext) async throws -> Void
    struct Entry: Sendable { let run: Runner; let maxAttempts: Int }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])

    func register<Kind: JobKind>(_ kind: Kind) {
        let entry = Entry(run: { payload, context in
            let decoded: Kind.Payload
            do {
                decoded = try JSONDecoder().decode(Kind.Payload.self, from: Data(payload.utf8))
            } catch {
                throw JobFailure.permanent("The job's payload no longer matches \(Kind.name): \(error)")
            }
            try await kind.run(decoded, context: context)
        }, maxAttempts: Kind.maxAttempts)
        entries.withLockedValue { $0[Kind.name] = entry }
    }

    func entry(for name: String) -> Entry? { entries.withLockedValue { $0[name] } }
    var names: [String] { entries.withLockedValue { $0.keys.sorted() } }
}

extension Application {
    private struct JobRegistryKey: StorageKey { typealias Value = JobRegistry }

    /// The job kinds this app can run.
    var jobKinds: JobRegistry {
        if let registry = storage[JobRegistryKey.self] { return registry }
        let registry = JobRegistry()
        storage[JobRegistryKey.self] = registry
        return registry
    }
}
