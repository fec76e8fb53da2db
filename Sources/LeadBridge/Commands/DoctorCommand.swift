import Vapor

/// `leadbridge doctor`: read-only checks of this install and its real SuiteDash and RingCentral
/// accounts, printed as ✓ / ✗ / ? with a sentence each; exits non-zero when any is ✗.
struct DoctorCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    let help = "Check this install and the configured SuiteDash and RingCentral accounts (read-only); exits 1 on any ✗."

    func run(using context: CommandContext, signature: Signature) async throws {
        let bar = context.console.loadingBar(title: "Asking the database, SuiteDash and RingCentral")
        bar.start()
        let checks = await Doctor(application: context.application).run()
        bar.succeed()
        context.console.print(checks.table)
        let failures = checks.failures
        guard failures == 0 else {
            throw UserCommandError("\(failures) check\(failures == 1 ? "" : "s") failed (✗): fix \(failures == 1 ? "it" : "them") as the sentence says, then run leadbridge doctor again.")
        }
        context.console.success("No ✗: \(checks.passes) passed, \(checks.unknowns) could not be settled from here (?).")
    }
}
