import Fluent
import Foundation
import ProviderSandbox
import Testing
import Vapor
import VaporTesting
@testable import LeadBridge

/// An app in SuiteDash API mode (from the environment, as an automated deployment would set
/// it) pointed at a sandbox on a free loopback port.
func withSuiteDash(
    clock: AppClock = .system,
    _ adjust: (inout AppConfig) -> Void = { _ in },
    _ test: (Application, SandboxServer) async throws -> Void
) async throws {
    let sandbox = try await SandboxServer.start()
    do {
        try await withApp(clock: clock, { config in
            config.suiteDash.enabled = true
            config.suiteDash.apiURL = sandbox.suiteDashURL
            config.suiteDash.publicID = sandbox.suiteDash.publicID
            config.suiteDash.secretKey = sandbox.suiteDash.secretKey
            adjust(&config)
        }) { app in try await test(app, sandbox) }
    } catch {
        await sandbox.stop()
        throw error
    }
    await sandbox.stop()
}

extension Application {
    /// Sends an enquiry through the JSON endpoint; returns its id.
    @discardableResult
    func submitEnquiry(firstName: String = "Ada", lastName: String? = "Lovelace", email: String? = "ada@example.com",
                       phone: String? = "+14155550100",
                       interest: String = "Business Strategy", company: String? = nil, message: String = "We need a plan.",
                       smsConsent: Bool = true) async throws -> Int {
        var fields: [String: Any] = ["first_name": firstName,
                                     "service_interest": interest, "message": message, "consent": true, "sms_consent": smsConsent]
        fields["phone"] = phone
        fields["email"] = email
        fields["last_name"] = lastName
        fields["company"] = company
        let response = try await testing().sendRequest(.POST, "/api/contact", headers: ["Content-Type": "application/json"],
                                                        body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: fields)))
        #expect(response.status == .created)
        struct Created: Decodable { let id: Int }
        return try response.content.decode(Created.self).id
    }

    /// Runs every due job once, as a worker would; returns how many ran.
    @discardableResult
    func runDueJobs(queue: JobQueue? = nil) async throws -> Int {
        let queue = queue ?? services.jobQueue
        let worker = QueueWorker(app: self, queue: queue, settings: services.config.queue, id: "test-worker")
        let claimed = try await queue.claim(worker: "test-worker", limit: 100, lease: 300, on: db)
        return claimed.isEmpty ? 0 : try await worker.process(claimed)
    }
}
