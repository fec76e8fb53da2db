import Foundation
import ProviderSandbox
import RingCentralKit
import Testing

/// A 403 for a missing permission says which one and where to grant it: the app's
/// (CMN-401, RingCentral's developer console) or the user's role (CMN-408, the admin portal).
@Suite("RingCentral permission errors")
struct PermissionErrorTests {
    @Test("an app without ReadCallLog: permissionMissing(ReadCallLog, ofApp), a sentence naming the developer console")
    func appPermission() async throws {
        try await withConnectedKit(adjust: { $0.appPermissions.removeAll { $0 == "ReadCallLog" } }) { kit in
            do {
                _ = try await kit.client.callLog(dateFrom: Date().addingTimeInterval(-3600))
                Issue.record("the call log was read without the permission")
            } catch let error as RingCentralError {
                #expect(error == .permissionMissing(permission: "ReadCallLog", ofApp: true,
                                                    message: "In order to call this API endpoint, application needs to have [ReadCallLog] permission"))
                #expect(error.description.contains("developer console"))
                #expect(!error.isTransient)
            }
        }
    }

    @Test("a user without FullCompanyCallLog: permissionMissing(FullCompanyCallLog, not the app's), a sentence naming the role")
    func userPermission() async throws {
        try await withConnectedKit(adjust: { $0.userPermissions.removeAll { $0 == "FullCompanyCallLog" } }) { kit in
            // The user's own log is still allowed.
            _ = try await kit.client.callLog(dateFrom: Date().addingTimeInterval(-3600))
            do {
                _ = try await kit.client.callLog(dateFrom: Date().addingTimeInterval(-3600), scope: .company)
                Issue.record("the company log was read without the permission")
            } catch let error as RingCentralError {
                guard case .permissionMissing("FullCompanyCallLog", false, _) = error else { Issue.record("\(error)"); return }
                #expect(error.errorCode == "CMN-408")
                #expect(error.description.contains("Users > Roles"))
            }
        }
    }
}
