import Foundation
import NIOCore
import Testing
import Vapor
@testable import LeadBridge

/// Issue #27: `TRUSTED_PROXIES` names the proxies whose `X-Forwarded-For` counts.
@Suite("Trusted proxies")
struct TrustedProxiesTests {
    static let proxies = "10.0.0.0/8, 192.168.1.7/32, 2001:db8:ffff::/48"

    /// The address the limits would count for a request from `peer` carrying `forwardedFor`.
    static func client(_ environment: [String: String], peer: String, forwardedFor: String?) async throws -> String {
        let config = try AppConfig.load(from: environment)
        let app = try await Application.make(.testing)
        var headers = HTTPHeaders()
        if let forwardedFor { headers.add(name: .xForwardedFor, value: forwardedFor) }
        let request = Request(application: app, method: .GET, url: "/", headers: headers,
                              remoteAddress: try SocketAddress(ipAddress: peer, port: 40000), on: app.eventLoopGroup.any())
        let address = request.clientIP(config: config)
        try await app.asyncShutdown()
        return address
    }

    @Test("X-Forwarded-For counts only from a listed proxy; the client is the first address from the right that is not one")
    func onlyListedProxiesAreBelieved() async throws {
        let environment = ["TRUSTED_PROXIES": Self.proxies]
        #expect(try await Self.client(environment, peer: "10.1.2.3", forwardedFor: "198.51.100.9") == "198.51.100.9")
        #expect(try await Self.client(environment, peer: "203.0.113.1", forwardedFor: "198.51.100.9") == "203.0.113.1",
                "a stranger's header is ignored")
        #expect(try await Self.client(environment, peer: "10.1.2.3", forwardedFor: "6.6.6.6, 198.51.100.9, 10.0.0.5, 192.168.1.7")
                == "198.51.100.9", "proxies of ours on the way are skipped; what the client wrote further left never counts")
        #expect(try await Self.client(environment, peer: "2001:db8:ffff:1::2", forwardedFor: "2001:db8:1::9") == "2001:db8:1:0:0:0:0:9")
        #expect(try await Self.client(environment, peer: "2001:db8:fffe::2", forwardedFor: "198.51.100.9") == "2001:db8:fffe:0:0:0:0:2")
        #expect(try await Self.client(environment, peer: "192.168.1.8", forwardedFor: "198.51.100.9") == "192.168.1.8", "a /32 is one address")
        #expect(try await Self.client(environment, peer: "10.1.2.3", forwardedFor: "10.0.0.9, 10.0.0.5") == "10.0.0.9",
                "every hop a proxy of ours: the leftmost")
    }

    @Test("TRUST_PROXY_HEADERS with TRUSTED_PROXY_HOPS works as before when TRUSTED_PROXIES is unset")
    func theHopCountStillWorks() async throws {
        let environment = ["TRUST_PROXY_HEADERS": "true", "TRUSTED_PROXY_HOPS": "2"]
        #expect(try await Self.client(environment, peer: "127.0.0.1", forwardedFor: "6.6.6.6, 203.0.113.50, 10.0.0.2") == "203.0.113.50")
        #expect(try await Self.client([:], peer: "127.0.0.1", forwardedFor: "203.0.113.50") == "127.0.0.1", "no trust, no header")
    }

    @Test("a list that is not CIDRs stops start-up with a sentence naming the entry")
    func badListsAreRefused() throws {
        for bad in ["10.0.0.0/33", "proxy.example.com", "10.0.0/8", "2001:db8::/129", "10.0.0.0/8,,nonsense"] {
            do {
                _ = try AppConfig.load(from: ["TRUSTED_PROXIES": bad])
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(String(describing: error).contains("TRUSTED_PROXIES"), "\(error)")
            }
        }
    }

    @Test("TRUSTED_PROXIES turns trust on for the proxies it lists, even beside the TRUST_PROXY_HEADERS=false of .env.example")
    func listedProxiesAreTrustedWhateverTheSwitch() async throws {
        let environment = ["TRUSTED_PROXIES": "10.0.0.0/8", "TRUST_PROXY_HEADERS": "false"]
        #expect(try await Self.client(environment, peer: "10.0.0.2", forwardedFor: "198.51.100.9") == "198.51.100.9")
        #expect(try await Self.client(environment, peer: "203.0.113.1", forwardedFor: "198.51.100.9") == "203.0.113.1")
    }
}
