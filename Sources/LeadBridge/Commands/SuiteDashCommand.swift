import Fluent
import Vapor

/// `leadbridge suitedash`: the SuiteDash admin page's actions from a terminal.
struct SuiteDashCommand: AsyncCommandGroup {
    let help = "SuiteDash integration: test the connection, queue syncs."
    var commands: [String: any AnyAsyncCommand] { ["test": Test(), "sync": Sync()] }

    struct Test: AsyncCommand {
        struct Signature: CommandSignature {}
        let help = "Test the connection with the saved (or SUITEDASH_*) keys; a pass resumes held syncs."

        func run(using context: CommandContext, signature: Signature) async throws {
            let outcome = try await SuiteDashConnectionTest.run(app: context.application)
            if outcome.success {
                context.console.success(outcome.message + (outcome.resumedJobs > 0 ? " \(outcome.resumedJobs) held sync(s) resumed." : ""))
            } else {
                throw UserCommandError(outcome.message)
            }
        }
    }

    struct Sync: AsyncCommand {
        struct Signature: CommandSignature {
            @Flag(name: "all", help: "Every enquiry with an email, not only those still pending.")
            var all: Bool
        }
        let help = "Queue SuiteDash syncs for pending enquiries (or, with --all, every enquiry). Never creates duplicates."

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            guard try await SuiteDashGateway(app: app).store.load().syncsAutomatically else {
                throw UserCommandError("SuiteDash API mode is off or has no keys; set it up in the admin or with SUITEDASH_* first.")
            }
            var query = ContactSubmission.query(on: app.db).filter(\.$email != nil)
            if !signature.all { query = query.filter(\.$status == .pending) }
            let ids = try await query.sort(\.$id).all(\.$id)
            try await app.db.transaction { try await SuiteDashSync.enqueue(ids, app: app, on: $0) }
            context.console.success("Queued \(ids.count) enquiry(ies) for SuiteDash.")
        }
    }
}
