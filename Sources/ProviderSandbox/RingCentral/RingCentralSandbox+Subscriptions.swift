import AsyncHTTPClient
import Foundation
import NIOCore
import Vapor

/// Webhook subscriptions. Before creating one, the sandbox does RingCentral's handshake: a POST
/// with an empty body and a `Validation-Token` header, which the address must answer 200 within
/// 3 s echoing that header, or the subscription is refused (400 SUB-523). The same header then
/// comes with every notification too (RingCentral's "Receiving Webhooks" guide: "whenever a
/// webhook is sent, there will be a Validation-Token in the headers"), carrying the
/// `deliveryMode.validationToken` the subscriber gave, else the handshake's token (what it
/// carries then is not documented). Subscriptions past their expiration time are gone (404),
/// as at RingCentral, so clients must renew in time.
extension RingCentralSandbox {
    static let instantSMSPath = extensionPath + "/message-store/instant"
    static let telephonyPath = extensionPath + "/telephony/sessions"
    /// Every extension's calls (RingCentral's "Account Telephony Sessions Event").
    static let accountTelephonyPath = accountPath + "/telephony/sessions"
    static let defaultSubscriptionTTL = 604_800
    static let webhookTimeout: TimeAmount = .seconds(3)
    /// The handshake answer's largest size, headers and body together.
    static let handshakeResponseLimit = 1024

    func registerSubscriptions(on routes: any RoutesBuilder) {
        let subscription = routes.grouped("restapi", "v1.0", "subscription")
        subscription.post { req in
            try await self.handle(req, "POST /restapi/v1.0/subscription", group: "Medium") { try await self.createSubscription($0) }
        }
        subscription.get { req in
            try await self.handle(req, "GET /restapi/v1.0/subscription", group: "Light") { self.listSubscriptions($0) }
        }
        subscription.get(":subscriptionId") { req in
            try await self.handle(req, "GET /restapi/v1.0/subscription/{id}", group: "Light") { self.readSubscription($0) }
        }
        subscription.delete(":subscriptionId") { req in
            try await self.handle(req, "DELETE /restapi/v1.0/subscription/{id}", group: "Medium") { self.deleteSubscription($0) }
        }
        // The spec puts renew in the Light group (x-throttling-group), unlike create and delete.
        subscription.post(":subscriptionId", "renew") { req in
            try await self.handle(req, "POST /restapi/v1.0/subscription/{id}/renew", group: "Light") { self.renewSubscription($0) }
        }
    }

    // MARK: Public controls

    /// Marks a subscription Blacklisted, as RingCentral does to a failing address: no more
    /// notifications, and it cannot be renewed (delete it and create another).
    public func blacklistSubscription(id: String) {
        state.withLockedValue { state in
            guard let index = state.subscriptions.firstIndex(where: { $0.id == id }) else { return }
            state.subscriptions[index].status = "Blacklisted"
            state.subscriptions[index].blacklistedAt = Date()
            state.subscriptions[index].blacklistReason = "Webhook delivery failed"
        }
    }

    // MARK: Endpoints

    private func createSubscription(_ req: Request) async throws -> Response {
        guard let body = Self.object(req) else { return Self.error(.badRequest, "CMN-104", "Cannot parse request") }
        guard let filters = body["eventFilters"] as? [String], !filters.isEmpty else { return Self.missing("eventFilters") }
        var expanded: [String] = []
        for filter in filters {
            guard let normalised = Self.normalise(filter: filter) else {
                return Self.invalid("eventFilters", filter, "Supported here: \(Self.instantSMSPath)?type=SMS, \(Self.telephonyPath) and \(Self.accountTelephonyPath).")
            }
            expanded.append(normalised)
        }
        guard let mode = body["deliveryMode"] as? [String: Any] else { return Self.missing("deliveryMode") }
        guard mode["transportType"] as? String == "WebHook" else {
            return Self.invalid("deliveryMode.transportType", mode["transportType"] as? String, "Only WebHook is supported by the sandbox.")
        }
        guard let address = mode["address"] as? String, !address.isEmpty else { return Self.missing("deliveryMode.address") }
        guard let url = URL(string: address), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            return Self.invalid("deliveryMode.address", address)
        }
        let expiresIn = (body["expiresIn"] as? Int).map { max(1, $0) } ?? Self.defaultSubscriptionTTL
        let validationToken = (mode["validationToken"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString.lowercased()
        if let refusal = await handshake(address, token: validationToken) { return refusal }
        let now = Date()
        var subscription = Subscription(id: UUID().uuidString.lowercased(), eventFilters: expanded, address: address,
                                        verificationToken: mode["verificationToken"] as? String,
                                        validationToken: validationToken, creationTime: now,
                                        expirationTime: now.addingTimeInterval(TimeInterval(expiresIn)), expiresIn: expiresIn,
                                        status: "Active")
        // A filter whose permission the app lacks is accepted and disabled, and the answer says
        // so (the spec's SubscriptionInfo.disabledFilters): the subscription is still Active.
        let permissions = Set(settings.appPermissions)
        subscription.disabledFilters = expanded.compactMap { filter in
            guard let needed = Self.permission(for: filter), !permissions.contains(needed) else { return nil }
            return DisabledFilter(filter: filter, reason: "Permission [\(needed)] is required")
        }
        state.withLockedValue { $0.subscriptions.append(subscription) }
        return Self.json(.ok, Self.json(subscription, origin: Self.origin(req)))
    }

    /// RingCentral's validation request; nil when the address passed.
    private func handshake(_ address: String, token: String) async -> Response? {
        var request = HTTPClientRequest(url: address)
        request.method = .POST
        request.headers.add(name: "Validation-Token", value: token)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer())
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: Self.webhookTimeout)
            let body = (try? await response.body.collect(upTo: 64 * 1024))?.readableBytes ?? 0
            // "The web server must not respond with a response larger than 1024 bytes … the response
            // size contains both the body and the headers" (Creating Webhooks guide).
            let headerBytes = response.headers.reduce(0) { $0 + $1.name.utf8.count + 2 + $1.value.utf8.count + 2 }
            guard body + headerBytes <= Self.handshakeResponseLimit else {
                return Self.error(.badRequest, "SUB-525", "WebHook server response is invalid",
                                  parameterName: "deliveryMode.address", parameterValue: address)
            }
            guard response.status == .ok else {
                return Self.error(.badRequest, "SUB-523", "WebHook responds with incorrect HTTP status. HTTP status is \(response.status.code)",
                                  parameterName: "deliveryMode.address", parameterValue: address)
            }
            guard response.headers.first(name: "Validation-Token") == token else {
                return Self.error(.badRequest, "SUB-523", "WebHook responds with incorrect Validation-Token header",
                                  parameterName: "deliveryMode.address", parameterValue: address)
            }
            // The guide's list of SUB-525 causes names an answer without `Content-Type: application/json`.
            guard response.headers.first(name: .contentType)?.lowercased().hasPrefix("application/json") == true else {
                return Self.error(.badRequest, "SUB-525", "WebHook server response is invalid",
                                  parameterName: "deliveryMode.address", parameterValue: address)
            }
            return nil
        } catch {
            return Self.error(.badRequest, "SUB-523", "WebHook did not respond within 3 seconds or could not be reached",
                              parameterName: "deliveryMode.address", parameterValue: address)
        }
    }

    private func listSubscriptions(_ req: Request) -> Response {
        let origin = Self.origin(req)
        let all = state.withLockedValue { state in
            state.purgeExpiredSubscriptions()
            return state.subscriptions
        }
        return Self.json(.ok, ["uri": origin + "/restapi/v1.0/subscription", "records": all.map { Self.json($0, origin: origin) }])
    }

    private func readSubscription(_ req: Request) -> Response {
        let id = req.parameters.get("subscriptionId") ?? ""
        let found = state.withLockedValue { state in
            state.purgeExpiredSubscriptions()
            return state.subscriptions.first { $0.id == id }
        }
        guard let found else { return Self.notFound("subscriptionId") }
        return Self.json(.ok, Self.json(found, origin: Self.origin(req)))
    }

    private func deleteSubscription(_ req: Request) -> Response {
        let id = req.parameters.get("subscriptionId") ?? ""
        let removed = state.withLockedValue { state -> Bool in
            state.purgeExpiredSubscriptions()
            guard let index = state.subscriptions.firstIndex(where: { $0.id == id }) else { return false }
            state.subscriptions.remove(at: index)
            return true
        }
        return removed ? Response(status: .noContent) : Self.notFound("subscriptionId")
    }

    private enum Renewal { case renewed(Subscription), blacklisted, missing }

    private func renewSubscription(_ req: Request) -> Response {
        let id = req.parameters.get("subscriptionId") ?? ""
        let renewal = state.withLockedValue { state -> Renewal in
            state.purgeExpiredSubscriptions()
            guard let index = state.subscriptions.firstIndex(where: { $0.id == id }) else { return .missing }
            guard state.subscriptions[index].status == "Active" else { return .blacklisted }
            state.subscriptions[index].expirationTime = Date().addingTimeInterval(TimeInterval(state.subscriptions[index].expiresIn))
            return .renewed(state.subscriptions[index])
        }
        switch renewal {
        case .renewed(let subscription): return Self.json(.ok, Self.json(subscription, origin: Self.origin(req)))
        case .missing: return Self.notFound("subscriptionId")
        case .blacklisted:
            return Self.error(.badRequest, "SUB-406", "Subscription is blacklisted and cannot be renewed; delete it and create a new one",
                              parameterName: "subscriptionId", parameterValue: id)
        }
    }

    static func json(_ subscription: Subscription, origin: String) -> [String: Any] {
        var object: [String: Any] = [
            "uri": origin + "/restapi/v1.0/subscription/\(subscription.id)",
            "id": subscription.id,
            "eventFilters": subscription.eventFilters,
            "creationTime": timestamp(subscription.creationTime),
            "expirationTime": timestamp(subscription.expirationTime),
            "expiresIn": max(0, Int(subscription.expirationTime.timeIntervalSinceNow.rounded())),
            "status": subscription.status,
            "deliveryMode": ["transportType": "WebHook", "address": subscription.address, "encryption": false],
        ]
        if !subscription.disabledFilters.isEmpty {
            object["disabledFilters"] = subscription.disabledFilters.map { ["filter": $0.filter, "reason": $0.reason] }
        }
        if let at = subscription.blacklistedAt {
            object["blacklistedData"] = ["blacklistedAt": timestamp(at), "reason": subscription.blacklistReason ?? "Webhook delivery failed"]
        }
        return object
    }

    /// The app permission a filter needs beyond SubscriptionWebhook: CallControl for telephony
    /// sessions (event-filter reference: "Required Permissions: CallControl"); nil for the rest.
    static func permission(for filter: String) -> String? {
        filter.split(separator: "?").first?.hasSuffix("/telephony/sessions") == true ? "CallControl" : nil
    }

    /// The filter with `~` replaced by the ids (as RingCentral answers it), or nil when not supported.
    static func normalise(filter: String) -> String? {
        let expanded = filter.replacingOccurrences(of: "/account/~", with: "/account/\(accountID)")
            .replacingOccurrences(of: "/extension/~", with: "/extension/\(extensionID)")
        let parts = expanded.split(separator: "?", maxSplits: 1).map(String.init)
        let path = parts.first ?? ""
        let query = parts.count > 1 ? parts[1] : nil
        switch path {
        case instantSMSPath: return query == nil || query == "type=SMS" ? instantSMSPath + "?type=SMS" : nil
        case telephonyPath, accountTelephonyPath: return expanded
        default: return nil
        }
    }
}

extension RingCentralSandbox.State {
    mutating func purgeExpiredSubscriptions(now: Date = Date()) {
        subscriptions.removeAll { $0.expirationTime <= now }
    }
}
