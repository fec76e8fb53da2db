import Vapor

/// `leadbridge key generate` prints a fresh APP_KEY; `leadbridge key rotate` re-seals every
/// stored secret under the current one, so an old key can be dropped from APP_PREVIOUS_KEYS.
struct KeyCommand: AsyncCommandGroup {
    let help = "Manage the application key that seals stored secrets."
    /// `generate` needs none of the app (it is what a missing APP_KEY tells you to run);
    /// `rotate` needs the database and both keys.
    var includesRotate = true
    var commands: [String: any AnyAsyncCommand] {
        includesRotate ? ["generate": GenerateKey(), "rotate": RotateKey()] : ["generate": GenerateKey()]
    }

    struct RotateKey: AsyncCommand {
        struct Signature: CommandSignature {}
        let help = "Re-seal every stored secret under the current APP_KEY; then the old key can leave APP_PREVIOUS_KEYS."

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            let resealer = SecretResealer(database: app.db, secrets: app.services.secrets)
            // The do-not-text list's key is made now if it is not yet: sealed, it is re-sealed below
            // with everything else, and the list no longer depends on which APP_KEY is current.
            try await app.services.speedToLead.doNotText.adoptKey(on: app.db)
            let before = try await resealer.census()
            guard before.underOldKeys > 0 else {
                context.console.success("All \(before.sealed) stored secrets are sealed under the current APP_KEY: nothing to re-seal.")
                context.console.print(Self.verdict(before))
                return
            }
            let bar = context.console.progressBar(title: "Re-sealing \(before.underOldKeys) secrets")
            bar.start()
            do {
                try await resealer.resealAll { done, total in bar.activity.currentProgress = Double(done) / Double(max(total, 1)) }
            } catch {
                bar.fail()
                throw error
            }
            bar.succeed()
            let after = try await resealer.census()
            context.console.success("Re-sealed \(before.underOldKeys - after.underOldKeys) secrets under the current APP_KEY.")
            context.console.print(Self.verdict(after))
        }

        /// Whether the old keys can go, in a sentence: never said while anything still needs one.
        static func verdict(_ census: SecretResealer.Census) -> String {
            var needs: [String] = []
            if census.underOldKeys > 0 { needs.append("\(census.underOldKeys) stored secrets are still sealed under an old key") }
            if census.optOutsNeedingOldKeys > 0 {
                needs.append("\(census.optOutsNeedingOldKeys) numbers on the do-not-text list were recorded before it had its own key and may be hashed under an old one (each is moved to the list's key when its number is seen again)")
            }
            guard !needs.isEmpty else { return "The keys in APP_PREVIOUS_KEYS are no longer needed and can be removed." }
            return "Keep APP_PREVIOUS_KEYS as it is: " + needs.joined(separator: "; ") + "."
        }
    }

    struct GenerateKey: AsyncCommand {
        struct Signature: CommandSignature {}
        let help = "Print a new random APP_KEY. Keep the old one in APP_PREVIOUS_KEYS when rotating."

        func run(using context: CommandContext, signature: Signature) async throws {
            context.console.print("APP_KEY=\(AppKey.generate().encoded)")
        }
    }
}
