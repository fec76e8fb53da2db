import Fluent
import Vapor

/// `leadbridge suitedash`: the SuiteDash admin page's actions from a terminal.
struct SuiteDashCommand: AsyncCommandGroup {
    let help = "SuiteDash integration: test the connection, queue syncs."
    var commands: [String: any AnyAsyncCommand] { ["test": Test(), "sync": Sync(), "export": Export()] }

    struct Export: AsyncCommand {
        struct Signature: CommandSignature {
            @Option(name: "since", help: "Only enquiries created on or after this date (2026-11-01, in the export time zone).")
            var since: String?
            @Flag(name: "all", help: "Every enquiry, including those exported before (a full re-export).")
            var all: Bool
            @Option(name: "output", help: "Write the CSV here instead of SUITEDASH_EXPORT_PATH.")
            var output: String?
        }
        let help = "Write a CSV of the enquiries not yet exported, for SuiteDash's Contacts > Import."

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            var filter = SuiteDashExporter.Filter()
            filter.includeExported = signature.all
            if let since = signature.since {
                guard let date = ExportDate.parse(since, timeZone: app.services.config.suiteDash.exportTimeZone) else {
                    throw UserCommandError("--since takes a date like 2026-11-01, not \"\(since)\".")
                }
                filter.createdFrom = date
            }
            let bar = context.console.progressBar(title: "Exporting enquiries")
            bar.start()
            let outcome: SuiteDashExporter.Outcome
            do {
                outcome = try await app.services.suiteDash.exporter.export(filter, createdBy: "command line", output: signature.output) { written, total in
                    bar.activity.currentProgress = Double(written) / Double(max(total, 1))
                }
            } catch {
                bar.fail()
                throw error
            }
            switch outcome {
            case .empty:
                bar.succeed()
                context.console.print("Nothing to export: every enquiry\(filter.createdFrom == nil ? "" : " since \(since(signature))") is in an earlier export. Use --all to export them again.")
            case .exported(let export, let path):
                bar.succeed()
                context.console.success("Exported \(export.rows) enquiries (\(export.bytes.formatted()) bytes, sha256 \(export.sha256?.prefix(12) ?? "")…) to \(path)")
            }
        }

        private func since(_ signature: Signature) -> String { signature.since ?? "" }
    }

    struct Test: AsyncCommand {
        struct Signature: CommandSignature {}
        let help = "Test the connection with the saved (or SUITEDASH_*) keys; a pass resumes held syncs."

        func run(using context: CommandContext, signature: Signature) async throws {
            let outcome = try await context.application.services.suiteDash.testConnection()
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
            guard try await app.services.suiteDash.settings.load().syncsAutomatically else {
                throw UserCommandError("SuiteDash API mode is off or has no keys; set it up in the admin or with SUITEDASH_* first.")
            }
            var query = Enquiry.query(on: app.db).filter(\.$email != nil)
            if !signature.all { query = query.filter(\.$status == .pending) }
            let ids = try await query.sort(\.$id).all(\.$id)
            try await app.db.transaction { try await app.services.suiteDash.queueSync(ids, on: $0) }
            context.console.success("Queued \(ids.count) enquiry(ies) for SuiteDash.")
        }
    }
}
