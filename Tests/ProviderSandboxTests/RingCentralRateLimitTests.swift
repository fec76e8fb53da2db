import Foundation
import ProviderSandbox
import Testing

@Suite("RingCentral sandbox: rate limits")
struct RingCentralRateLimitTests {
    @Test("headers on every answer, 429 CMN-301 past the limit, and a penalty every request restarts")
    func limitAndPenalty() async throws {
        // A window long enough that a loaded machine still fits three requests in it.
        try await withSandbox {
            $0.rateLimitWindow = 4
            $0.penalty = 1
            $0.limits = ["Light": 3, "Medium": 40, "Heavy": 2, "Auth": 5]
        } run: { server in
            let tokens = try await connect(server)
            let url = server.baseURL + "/restapi/v1.0/account/~/extension/~/call-log"  // Heavy
            let (first, tFirst) = try await timed { try await send(.GET, url, headers: [tokens.bearer]) }
            #expect(first.status == 200)
            #expect(first.header("X-Rate-Limit-Group") == "heavy")
            #expect(first.header("X-Rate-Limit-Limit") == "2")
            #expect(first.header("X-Rate-Limit-Remaining") == "1")
            #expect(first.header("X-Rate-Limit-Window") == "4")
            let (second, tSecond) = try await timed { try await send(.GET, url, headers: [tokens.bearer]) }
            if certainly(tSecond, after: tFirst, atLeast: 0, below: 3.5) {
                #expect(second.header("X-Rate-Limit-Remaining") == "0")
            }
            let (limited, tLimited) = try await timed { try await send(.GET, url, headers: [tokens.bearer]) }
            // On a machine so loaded that the window may have passed, nothing below is certain.
            guard certainly(tLimited, after: tFirst, atLeast: 0, below: 3.5) else { return }
            #expect(limited.status == 429)
            #expect(limited.errorCode == "CMN-301")
            #expect(limited.json["message"] as? String == "Request rate exceeded")
            #expect(limited.header("Retry-After") == "1")
            #expect(limited.header("X-Rate-Limit-Group") == "heavy")

            // Knock every 0.7 s until well after the window has emptied (4 s after the first
            // request): past that point only a penalty restarted by each knock can refuse them.
            // The checks assert only when the client-side times make the outcome certain.
            var knocks: [(status: Int, window: Window)] = []
            while Date().timeIntervalSince(tFirst.end) < 4.8 {
                try await Task.sleep(for: .milliseconds(700))
                let (answer, window) = try await timed { try await send(.GET, url, headers: [tokens.bearer]) }
                knocks.append((answer.status, window))
            }
            var chained = true
            var last = tLimited
            for knock in knocks {
                if !certainly(knock.window, after: last, atLeast: 0, below: 1) { chained = false }
                last = knock.window
            }
            if chained, let final = knocks.last, certainly(final.window, after: tFirst, atLeast: 4) {
                #expect(knocks.allSatisfy { $0.status == 429 })
            }
            // Once the penalty is over the group lets requests in again. A loaded machine may have
            // spaced two knocks past the penalty, letting them in and filling a new window: wait
            // that window out too.
            var wait = 1.1
            if let admitted = knocks.last(where: { $0.status == 200 }) {
                wait = max(wait, 4.2 - Date().timeIntervalSince(admitted.window.start))
            }
            try await Task.sleep(for: .seconds(wait))
            #expect(try await send(.GET, url, headers: [tokens.bearer]).status == 200)
            #expect(server.ringCentral.stats.callsByEndpoint["GET /restapi/v1.0/account/~/extension/~/call-log"] == 4 + knocks.count)
            #expect(server.ringCentral.requestLog.filter { $0.group == "Heavy" }.map(\.status).prefix(3) == [200, 200, 429])
            // Other groups were never affected.
            #expect(try await send(.GET, server.baseURL + "/restapi/v1.0/account/~", headers: [tokens.bearer]).status == 200)
        }
    }

    @Test("the token endpoint is in the Auth group, counted per client")
    func authGroup() async throws {
        try await withSandbox { $0.limits["Auth"] = 2 } run: { server in
            var statuses: [Int] = []
            for _ in 0..<3 {
                let answer = try await send(.POST, server.baseURL + "/restapi/oauth/token", headers: [basic(), formType],
                                            body: form(["grant_type": "refresh_token", "refresh_token": "nope"]))
                statuses.append(answer.status)
                #expect(answer.header("X-Rate-Limit-Group") == "auth")
            }
            #expect(statuses == [400, 400, 429])
        }
    }

    @Test("switches: outage 503 and failures 500 in RingCentral's envelope")
    func switches() async throws {
        try await withSandbox { server in
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
}
