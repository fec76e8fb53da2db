import Foundation
import ProviderSandbox
import Testing

@Suite("RingCentral sandbox: webhook subscriptions")
struct RingCentralSubscriptionTests {
    static let smsFilter = "/restapi/v1.0/account/~/extension/~/message-store/instant?type=SMS"
    static let callFilter = "/restapi/v1.0/account/~/extension/~/telephony/sessions"

    func subscribe(_ server: SandboxServer, _ tokens: Tokens, address: String, filters: [String] = [smsFilter, callFilter]) async throws -> Answer {
        try await send(.POST, server.baseURL + "/restapi/v1.0/subscription", headers: [tokens.bearer, jsonType], body: jsonBody([
            "eventFilters": filters,
            "deliveryMode": ["transportType": "WebHook", "address": address, "verificationToken": "secret-123"],
            "expiresIn": 3600,
        ]))
    }

    @Test("the handshake must echo Validation-Token with 200, else 400 SUB-523; an answer over 1,024 bytes or not typed application/json is 400 SUB-525")
    func handshake() async throws {
        try await withSandbox { server in
            try await withWebhookReceiver { receiver in
                let tokens = try await connect(server)

                let created = try await subscribe(server, tokens, address: receiver.url("/hook"))
                #expect(created.status == 200)
                #expect(created.header("X-Rate-Limit-Group") == "medium")
                #expect(created.json["status"] as? String == "Active")
                #expect(created.json["eventFilters"] as? [String] == [
                    "/restapi/v1.0/account/401234567890/extension/401234567891/message-store/instant?type=SMS",
                    "/restapi/v1.0/account/401234567890/extension/401234567891/telephony/sessions",
                ])
                #expect((created.json["deliveryMode"] as? [String: Any])?["encryption"] as? Bool == false)
                let handshake = try #require(receiver.deliveries.first)
                #expect(handshake.body.isEmpty)
                #expect(handshake.headers.first(name: "Validation-Token") != nil)

                for path in ["/wrong-token", "/status/500", "/status/204"] {
                    let refused = try await subscribe(server, tokens, address: receiver.url(path))
                    #expect(refused.status == 400, "\(path)")
                    #expect(refused.errorCode == "SUB-523", "\(path)")
                }
                let oversized = try await subscribe(server, tokens, address: receiver.url("/oversized"))
                #expect(oversized.status == 400 && oversized.errorCode == "SUB-525", "an answer over 1,024 bytes, headers and body")
                let untyped = try await subscribe(server, tokens, address: receiver.url("/untyped"))
                #expect(untyped.status == 400 && untyped.errorCode == "SUB-525", "an answer without Content-Type: application/json")
                let unreachable = try await subscribe(server, tokens, address: "http://127.0.0.1:9/hook")
                #expect(unreachable.errorCode == "SUB-523")
                let badFilter = try await subscribe(server, tokens, address: receiver.url("/hook"), filters: ["/restapi/v1.0/account/~/presence"])
                #expect(badFilter.status == 400)
                #expect(server.ringCentral.subscriptions.count == 1)
            }
        }
    }

    @Test("list, read, renew, delete; a blacklisted subscription gets nothing and cannot be renewed")
    func lifecycle() async throws {
        try await withSandbox { server in
            try await withWebhookReceiver { receiver in
                let tokens = try await connect(server)
                let id = try #require(try await subscribe(server, tokens, address: receiver.url("/hook")).json["id"] as? String)
                let base = server.baseURL + "/restapi/v1.0/subscription"
                let list = try await send(.GET, base, headers: [tokens.bearer])
                #expect((list.json["records"] as? [[String: Any]])?.count == 1)
                #expect(list.header("X-Rate-Limit-Group") == "light")
                #expect(try await send(.GET, base + "/" + id, headers: [tokens.bearer]).json["id"] as? String == id)
                let renewed = try await send(.POST, base + "/" + id + "/renew", headers: [tokens.bearer])
                #expect(renewed.status == 200)
                #expect(renewed.json["expiresIn"] as? Int == 3600)

                server.ringCentral.blacklistSubscription(id: id)
                try await server.ringCentral.simulateInboundSMS(from: "+14155550123", to: "+16505550101", text: "Hello?")
                #expect(receiver.notifications.isEmpty)
                let refused = try await send(.POST, base + "/" + id + "/renew", headers: [tokens.bearer])
                #expect(refused.status == 400)
                #expect(try await send(.GET, base + "/" + id, headers: [tokens.bearer]).json["status"] as? String == "Blacklisted")
                #expect(try await send(.DELETE, base + "/" + id, headers: [tokens.bearer]).status == 204)
                #expect(try await send(.GET, base + "/" + id, headers: [tokens.bearer]).status == 404)
            }
        }
    }

    @Test("inbound SMS and calls are delivered with Verification-Token; deliveries can repeat")
    func notifications() async throws {
        try await withSandbox { server in
            try await withWebhookReceiver { receiver in
                let tokens = try await connect(server)
                let id = try #require(try await subscribe(server, tokens, address: receiver.url("/hook")).json["id"] as? String)

                try await server.ringCentral.simulateInboundSMS(from: "+14155550123", to: "+16505550101", text: "Can you call me back?", deliveries: 2)
                let sms = receiver.notifications
                #expect(sms.count == 2)
                #expect(sms.allSatisfy { $0.headers.first(name: "Verification-Token") == "secret-123" })
                // The guide: a Validation-Token header comes whenever a webhook is sent, not only with the handshake.
                let handshakeToken = receiver.deliveries.first { $0.body.isEmpty }?.headers.first(name: "Validation-Token")
                #expect(handshakeToken != nil)
                #expect(sms.allSatisfy { $0.headers.first(name: "Validation-Token") == handshakeToken })
                #expect(sms[0].json["uuid"] as? String == sms[1].json["uuid"] as? String)
                let first = sms[0].json
                #expect(first["subscriptionId"] as? String == id)
                #expect(first["ownerId"] as? String == "401234567891")
                #expect((first["event"] as? String)?.hasSuffix("/message-store/instant?type=SMS") == true)
                let body = try #require(first["body"] as? [String: Any])
                #expect(body["direction"] as? String == "Inbound")
                #expect(body["subject"] as? String == "Can you call me back?")
                #expect(body["messageStatus"] as? String == "Received")
                #expect((body["from"] as? [String: Any])?["phoneNumber"] as? String == "+14155550123")
                #expect(server.ringCentral.messages.last?.direction == "Inbound")

                try await server.ringCentral.simulateInboundCall(from: "+14155550123", to: "+16505550101")
                let call = try #require(receiver.notifications.last?.json)
                #expect((call["event"] as? String)?.hasSuffix("/telephony/sessions") == true)
                let party = try #require(((call["body"] as? [String: Any])?["parties"] as? [[String: Any]])?.first)
                #expect((party["status"] as? [String: Any])?["code"] as? String == "Disconnected")
                #expect((party["from"] as? [String: Any])?["phoneNumber"] as? String == "+14155550123")
                #expect(server.ringCentral.callLog.first?.result == "Missed")

                await server.ringCentral.redeliverLastNotification()
                #expect(receiver.notifications.count == 4)
                #expect(server.ringCentral.stats.notificationsDelivered == 4)
            }
        }
    }

    @Test("a failing address is counted")
    func failedDelivery() async throws {
        try await withSandbox { server in
            try await withWebhookReceiver { receiver in
                let tokens = try await connect(server)
                _ = try await subscribe(server, tokens, address: receiver.url("/hook"))
                await receiver.stop()
                try await server.ringCentral.simulateInboundSMS(from: "+14155550123", to: "+16505550101", text: "anyone?")
                #expect(server.ringCentral.stats.notificationsFailed == 1)
            }
        }
    }
}
