import Foundation
import SuiteDashKit
import Vapor

/// The admin's "Test Connection": one cheap call (`GET /contact/meta`); its verdict is stored,
/// and a pass releases every sync job that was held for SuiteDash.
enum SuiteDashConnectionTest {
    struct Outcome: Sendable { let success: Bool; let message: String; let resumedJobs: Int }

    static func run(app: Application) async throws -> Outcome {
        let gateway = SuiteDashGateway(app: app)
        let configuration = try await gateway.store.load()
        guard let credentials = configuration.credentials else {
            let message = "Enter the Public ID and Secret Key from SuiteDash > Integrations > Secure API first."
            try await gateway.store.recordTest(success: false, message: message)
            return Outcome(success: false, message: message, resumedJobs: 0)
        }
        do {
            try await gateway.client(configuration, credentials: credentials).testConnection()
        } catch let error as SuiteDashError {
            let message: String
            switch error {
            case .unauthorized: message = "SuiteDash refused these keys. Copy the Public ID and a Secret Key again from SuiteDash > Integrations > Secure API."
            case .transport: message = "SuiteDash could not be reached at \(configuration.apiURL): check the API URL and this server's network. (\(error))"
            default: message = error.description
            }
            try await gateway.store.recordTest(success: false, message: message)
            return Outcome(success: false, message: message, resumedJobs: 0)
        }
        try await gateway.store.recordTest(success: true, message: "Connected: SuiteDash accepted the keys.")
        let resumed = configuration.isEnabled && configuration.mode == .api
            ? try await app.services.jobQueue.resume(waitingFor: SyncEnquiryToSuiteDash.waitKey, on: app.db) : 0
        return Outcome(success: true, message: "Connected: SuiteDash accepted the keys.", resumedJobs: resumed)
    }
}
