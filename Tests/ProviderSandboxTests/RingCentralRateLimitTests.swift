import Foundation
import ProviderSandbox
import Testing

@Suite("RingCentral sandbox: rate limits")
struct RingCentralRateLimitTests {
    @Test("headers on every answer, 429 CMN-301 past the limit, and a penalty every request restarts")
    func limitAndPenalty() async throws {
        let server = try await startSandbox {
            $0.rateLimitWindow = 1
            $0.penalty = 1
            $0.limits = ["Light": 3, "Medium": 40, "Heavy": 2, "Auth": 5]
        }
        defer { Task { await server.stop() } }
        let tokens = try await connect(server)
        let url = server.baseURL + "/restapi/v1.0/account/~/extension/~/call-log"  // Heavy
        let first = try await send(.GET, url, headers: [tokens.bearer])
        #expect(first.status == 200)
        #expect(first.header("X-Rate-Limit-Group") == "Heavy")
        #expect(first.header("X-Rate-Limit-Limit") == "2")
        #expect(first.header("X-Rate-Limit-Remaining") == "1")
        #expect(first.header("X-Rate-Limit-Window") == "1")
        #expect(try await send(.GET, url, headers: [tokens.bearer]).header("X-Rate-Limit-Remaining") == "0")
        let (limited, t0) = try await timed { try await send(.GET, url, headers: [tokens.bearer]) }
        #expect(limited.status == 429)
        #expect(limited.errorCode == "CMN-301")
        #expect(limited.json["message"] as? String == "Request rate exceeded")
        #expect(limited.header("Retry-After") == "1")
        #expect(limited.header("X-Rate-Limit-Group") == "Heavy")

        // The penalty (1 s) restarts with every request made during it. The client-side time
        // bounds decide whether the answers are certain; on a machine too loaded for that the
        // restart checks are skipped rather than failed.
        let (again, tA) = try await timed { try await send(.GET, url, headers: [tokens.bearer]) }
        try await Task.sleep(for: .milliseconds(700))
        let (restarted, tB) = try await timed { try await send(.GET, url, headers: [tokens.bearer]) }
        try await Task.sleep(for: .milliseconds(700))
        let (stillBlocked, tC) = try await timed { try await send(.GET, url, headers: [tokens.bearer]) }
        if certainly(tA, after: t0, atLeast: 0, below: 1), certainly(tB, after: tA, atLeast: 0, below: 1),
           certainly(tC, after: tB, atLeast: 0, below: 1) {
            // C comes 1.4 s after the first 429, past its own 1 s penalty: only the restarts block it.
            #expect(again.status == 429)
            #expect(restarted.status == 429)
            #expect(stillBlocked.status == 429)
            #expect(server.ringCentral.stats.rateLimited == 4)
        }
        try await Task.sleep(for: .milliseconds(1100))
        #expect(try await send(.GET, url, headers: [tokens.bearer]).status == 200)
        #expect(server.ringCentral.stats.callsByEndpoint["GET /restapi/v1.0/account/~/extension/~/call-log"] == 7)
        #expect(server.ringCentral.requestLog.filter { $0.group == "Heavy" }.map(\.status).prefix(3) == [200, 200, 429])
        // Other groups were never affected.
        #expect(try await send(.GET, server.baseURL + "/restapi/v1.0/account/~", headers: [tokens.bearer]).status == 200)
    }

    @Test("the token endpoint is in the Auth group, counted per client")
    func authGroup() async throws {
        let server = try await startSandbox { $0.limits["Auth"] = 2 }
        defer { Task { await server.stop() } }
        var statuses: [Int] = []
        for _ in 0..<3 {
            let answer = try await send(.POST, server.baseURL + "/restapi/oauth/token", headers: [basic(), formType],
                                        body: form(["grant_type": "refresh_token", "refresh_token": "nope"]))
            statuses.append(answer.status)
            #expect(answer.header("X-Rate-Limit-Group") == "Auth")
        }
        #expect(statuses == [400, 400, 429])
    }

    @Test("switches: outage 503 and failures 500 in RingCentral's envelope")
    func switches() async throws {
        let server = try await startSandbox()
        defer { Task { await server.stop() } }
        let tokens = try await connect(server)
        var switches = SandboxSwitches()
        switches.outage = true
        server.ringCentral.switches = switches
        let outage = try await send(.GET, server.baseURL + "/restapi/v1.0/account/~", headers: [tokens.bearer])
        #expect(outage.status == 503)
        #expect(outage.errorCode != nil)
        switches.outage = false
        switches.failureRate = 1
        server.ringCentral.switches = switches
        let failure = try await send(.GET, server.baseURL + "/restapi/v1.0/account/~", headers: [tokens.bearer])
        #expect(failure.status == 500)
        #expect(failure.errorCode == "CMN-203")
    }
}
