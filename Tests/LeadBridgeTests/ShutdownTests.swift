import Foundation
import Testing
import Vapor
@testable import LeadBridge

@Suite("Shutdown")
struct ShutdownTests {
    /// A provider call can finish while the app shuts down. Its audit line must then be dropped:
    /// reaching for `app.db` after shutdown stops the whole process.
    @Test func anAuditLineFinishedAfterShutdownIsDroppedNotACrash() async throws {
        var writer: IntegrationLogWriter?
        try await withApp { app in
            writer = app.services.ringCentral.context.logs
            let recorded = await writer?.record(.init(provider: "ringcentral", action: "GET /restapi/v1.0/account/~", durationMS: 3))
            #expect(recorded == true)
            let written = try await IntegrationLog.query(on: app.db).count()
            #expect(written == 1)
        }
        let late = try #require(writer)
        #expect(throws: LateDatabase.ShutDown.self) { try late.database.database() }
        // Reaching the process's stopped database would crash here; the line is dropped instead.
        let dropped = await late.record(.init(provider: "ringcentral", action: "GET /restapi/v1.0/account/~", durationMS: 3))
        #expect(dropped == false)
    }
}
