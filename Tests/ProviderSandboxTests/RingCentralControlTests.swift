import Foundation
import ProviderSandbox
import Testing

@Suite("RingCentral sandbox: control routes")
struct RingCentralControlTests {
    @Test("settings merge partial keys; generate, stats, expire and revoke work over HTTP")
    func controls() async throws {
        try await withSandbox { server in
            let control = server.baseURL + "/_sandbox/ringcentral"
            let settings = try await send(.POST, control + "/settings", headers: [jsonType], body: jsonBody(["penalty": 5, "limits": ["Heavy": 3]]))
            #expect(settings.status == 200)
            #expect(server.ringCentral.settings.penalty == 5)
            #expect(server.ringCentral.settings.limits == ["Heavy": 3])
            #expect(server.ringCentral.settings.accessTokenTTL == 3600)

            #expect(try await send(.POST, control + "/call-log/generate", headers: [jsonType],
                                   body: jsonBody(["count": 10, "spacing": 5, "phoneNumbers": ["+14155550001"]])).status == 200)
            #expect(server.ringCentral.callLog.count == 10)
            #expect(server.ringCentral.callLog.allSatisfy { $0.from == "+14155550001" || $0.to == "+14155550001" })

            let tokens = try await connect(server)
            #expect(try await send(.POST, control + "/expire-tokens").status == 200)
            #expect(try await send(.GET, server.baseURL + "/restapi/v1.0/account/~", headers: [tokens.bearer]).errorCode == "OAU-128")
            #expect(try await send(.POST, control + "/revoke-tokens").status == 200)
            #expect(try await send(.GET, server.baseURL + "/restapi/v1.0/account/~", headers: [tokens.bearer]).errorCode == "OAU-213")
            #expect(try await send(.POST, control + "/inbound-sms", headers: [jsonType],
                                   body: jsonBody(["from": "+14155550123", "to": "+16505550101", "text": "hi"])).status == 200)
            let stats = try await send(.GET, control).json
            #expect(stats["totalCalls"] as? Int == 3)
            #expect(stats["messages"] as? Int == 1)
            #expect(stats["callLogRecords"] as? Int == 10)
            #expect((stats["tokenRequests"] as? [String: Int])?["authorization_code"] == 1)
            #expect(try await send(.POST, control + "/reset-stats").status == 200)
            #expect(server.ringCentral.stats.totalCalls == 0)
        }
    }
}
