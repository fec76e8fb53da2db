import Fluent
import Foundation
import RingCentralKit
import Vapor

/// `leadbridge ringcentral`: the RingCentral admin page's background actions from a terminal.
struct RingCentralCommand: AsyncCommandGroup {
    let help = "RingCentral integration: sync the call log, check the connection, keep the webhook subscription."
    var commands: [String: any AnyAsyncCommand] { ["sync-calls": SyncCalls(), "status": Status(), "subscription": Subscription(), "ping": Ping()] }

    struct SyncCalls: AsyncCommand {
        struct Signature: CommandSignature {
            @Option(name: "since", help: "Fetch calls from this date or time (2026-11-01 or 2026-11-01T09:00:00Z); default: from the last synced call, with a 5-minute overlap.")
            var since: String?
        }
        let help = "Fetch RingCentral's call log into call_logs (idempotent: a call is stored once however often it is fetched)."

        func run(using context: CommandContext, signature: Signature) async throws {
            var since: Date?
            if let text = signature.since {
                guard let date = (try? Date(text, strategy: .iso8601)) ?? (try? Date(text + "T00:00:00Z", strategy: .iso8601)) else {
                    throw UserCommandError("--since takes a date like 2026-11-01 or 2026-11-01T09:00:00Z, not \"\(text)\".")
                }
                since = date
            }
            let bar = context.console.progressBar(title: "Syncing call log")
            bar.start()
            let started = Date()
            let outcome: CallLogSync.Outcome
            do {
                outcome = try await context.application.services.ringCentral.callLog.sync(dateFrom: since) { page, totalPages, _ in
                    bar.activity.currentProgress = Double(page) / Double(max(totalPages ?? page, 1))
                }
            } catch let error as RingCentralError {
                bar.fail()
                throw UserCommandError(error.description)
            } catch let error as RingCentralServiceError {
                bar.fail()
                throw UserCommandError(error.description)
            }
            bar.succeed()
            let seconds = Date().timeIntervalSince(started)
            context.console.success(String(format: "%d call(s) in %d page(s) in %.1f s (%.0f records/s); %d linked to enquiries.",
                                           outcome.records, outcome.pages, seconds, Double(outcome.records) / max(seconds, 0.001), outcome.linked))
        }
    }

    struct Status: AsyncCommand {
        struct Signature: CommandSignature {}
        let help = "Show what is connected, and test it with one call."

        func run(using context: CommandContext, signature: Signature) async throws {
            let ringCentral = context.application.services.ringCentral
            let configuration = try await ringCentral.settings.load()
            guard configuration.isConfigured else { throw UserCommandError(RingCentralServiceError.notConfigured.description) }
            if let reason = configuration.reauthorizationReason { throw UserCommandError("Needs re-authorisation: \(reason)") }
            do {
                let account = try await ringCentral.connection.refreshSnapshot()
                context.console.success("Connected: account \(account.accountID), main number \(account.mainNumber ?? "—"), extension \(account.primaryExtension?.extensionNumber ?? "—").")
            } catch let error as RingCentralError {
                throw UserCommandError(error.description)
            }
        }
    }

    struct Subscription: AsyncCommand {
        struct Signature: CommandSignature {}
        let help = "Renew the webhook subscription if it expires soon; recreate it if RingCentral blacklisted it."

        func run(using context: CommandContext, signature: Signature) async throws {
            do {
                context.console.success("Webhook subscription: " + (try await context.application.services.ringCentral.subscriptions.maintain(now: context.application.services.clock.now())))
            } catch let error as RingCentralError {
                throw UserCommandError(error.description)
            }
        }
    }

    /// Many callers at once, for as long as asked: shows the token policy and pacing at work
    /// (one refresh per expiry, however many callers and processes; no 429).
    struct Ping: AsyncCommand {
        struct Signature: CommandSignature {
            @Option(name: "callers", help: "Concurrent callers (default 50).")
            var callers: Int?
            @Option(name: "seconds", help: "How long to keep calling (default 10).")
            var seconds: Double?
        }
        let help = "Call GET extension/~ from many concurrent callers for a while; report calls, failures and token refreshes."

        func run(using context: CommandContext, signature: Signature) async throws {
            let callers = max(1, min(signature.callers ?? 50, 1000))
            let seconds = max(0.1, signature.seconds ?? 10)
            let deadline = Date().addingTimeInterval(seconds)
            let client = try await context.application.services.ringCentral.client()
            let bar = context.console.progressBar(title: "Calling RingCentral with \(callers) callers")
            bar.start()
            let ticker = Task {
                while !Task.isCancelled, Date() < deadline {
                    bar.activity.currentProgress = min(1, 1 - deadline.timeIntervalSinceNow / seconds)
                    try? await Task.sleep(nanoseconds: 250_000_000)
                }
            }
            defer { ticker.cancel() }
            let tally = try await withThrowingTaskGroup(of: (Int, [String: Int]).self) { group in
                for _ in 0..<callers {
                    group.addTask {
                        var calls = 0
                        var failures: [String: Int] = [:]
                        while Date() < deadline {
                            do { _ = try await client.extensionInfo(); calls += 1 }
                            catch let error as RingCentralError { failures[error.errorCode ?? String(describing: error).prefix(40).description, default: 0] += 1 }
                        }
                        return (calls, failures)
                    }
                }
                var total = (0, [String: Int]())
                for try await (calls, failures) in group {
                    total.0 += calls
                    total.1.merge(failures, uniquingKeysWith: +)
                }
                return total
            }
            ticker.cancel()
            bar.succeed()
            let statistics = await client.tokens.statistics
            let limiter = await context.application.services.ringCentral.limiter.statistics
            context.console.print("calls=\(tally.0) failures=\(tally.1.values.reduce(0, +)) \(tally.1.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")) refreshes_sent=\(statistics.refreshesSent) refreshes_found_done=\(statistics.refreshesFoundDone) rate_limited=\(limiter.rateLimitedAnswers) paced=\(limiter.pacedRequests)")
            await context.application.services.ringCentral.pendingLogs.drain()
        }
    }
}
