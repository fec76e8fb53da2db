import Vapor

/// `leadbridge key generate`: prints a fresh APP_KEY.
struct KeyCommand: AsyncCommandGroup {
    let help = "Manage the application key that seals stored secrets."
    var commands: [String: any AnyAsyncCommand] { ["generate": GenerateKey()] }

    struct GenerateKey: AsyncCommand {
        struct Signature: CommandSignature {}
        let help = "Print a new random APP_KEY. Keep the old one in APP_PREVIOUS_KEYS when rotating."

        func run(using context: CommandContext, signature: Signature) async throws {
            context.console.print("APP_KEY=\(AppKey.generate().encoded)")
        }
    }
}
