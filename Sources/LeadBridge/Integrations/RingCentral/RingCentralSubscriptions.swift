import Fluent
import Foundation
import RingCentralKit
import Vapor

/// The webhook subscription: instant SMS and telephony sessions delivered to
/// `/api/webhooks/ringcentral`. Created and deleted by the admin; renewed before it expires
/// and recreated when RingCentral blacklisted it, by a job that runs every hour.
struct RingCentralSubscriptions {
    static let eventFilters = eventFilters(scope: .user)

    /// Inbound texts to the connected user, and calls: the user's, or (watching the whole
    /// company) every extension's, RingCentral's account-level telephony sessions event.
    static func eventFilters(scope: RingCentralCallLogScope) -> [String] {
        ["/restapi/v1.0/account/~/extension/~/message-store/instant?type=SMS",
         scope == .company ? "/restapi/v1.0/account/~/telephony/sessions" : "/restapi/v1.0/account/~/extension/~/telephony/sessions"]
    }

    /// Whose calls a subscription's filters (as RingCentral lists them, with ids for `~`) report.
    static func callScope(of filters: [String]) -> RingCentralCallLogScope? {
        for filter in filters {
            let path = filter.split(separator: "?").first.map(String.init) ?? filter
            guard path.hasSuffix("/telephony/sessions") else { continue }
            return path.contains("/extension/") ? .user : .company
        }
        return nil
    }
    /// Seven days, renewed when less than two remain.
    static let lifetime = 7 * 24 * 60 * 60
    static let renewWithin: TimeInterval = 2 * 24 * 60 * 60
    private static let secretContext = "integration_settings.ringcentral.webhook_secret"

    struct Status: Sendable, Equatable {
        var id: String
        var status: String
        var expiresAt: Date?
        /// Filters RingCentral accepted but disabled, and why: "Active" alone would hide them.
        var disabledFilters: [RingCentralSubscription.DisabledFilter] = []
    }

    let service: RingCentralService

    /// A disabled filter in a sentence an admin can act on: what stops, what takes over, what to enable.
    static func explain(_ disabled: RingCentralSubscription.DisabledFilter, callLogMinutes: Int) -> String {
        let why = disabled.reason ?? disabled.message ?? "no reason given"
        if disabled.filter.split(separator: "?").first?.hasSuffix("/telephony/sessions") == true {
            let fallback = callLogMinutes > 0
                ? "missed calls are learnt from the call-log sync instead, up to \(callLogMinutes) minute\(callLogMinutes == 1 ? "" : "s") late"
                : "missed calls are not learnt at all while the call-log sync is off"
            return "RingCentral disabled the telephony events (\(why)): \(fallback). Give the app the CallControl permission in RingCentral's developer console, then delete the subscription and create it again."
        }
        if disabled.filter.contains("/message-store") {
            return "RingCentral disabled the inbound-text events (\(why)): texts from leads reach LeadBridge only when you open Messages. Check the app's permissions in RingCentral's developer console, then create the subscription again."
        }
        return "RingCentral disabled \(disabled.filter) (\(why))."
    }

    var address: String {
        let base = service.context.config.appURL.hasSuffix("/") ? String(service.context.config.appURL.dropLast()) : service.context.config.appURL
        return base + "/api/webhooks/ringcentral"
    }

    /// `RINGCENTRAL_WEBHOOK_SECRET`, or (when unset) a random one made once and kept sealed.
    func verificationToken(create: Bool) async throws -> String? {
        if let secret = service.context.config.ringCentral.webhookSecret { return secret }
        let store = try service.settings
        if let sealed = try await store.value("webhook_secret") {
            return try service.context.secrets.open(sealed, context: Self.secretContext)
        }
        guard create else { return nil }
        let secret = SecureToken.make()
        try await store.setValue(try service.context.secrets.seal(secret, context: Self.secretContext), for: "webhook_secret")
        return secret
    }

    func current() async throws -> Status? {
        let values = try await service.settings.values()
        guard let id = values["subscription_id"] else { return nil }
        return Status(id: id, status: values["subscription_status"] ?? "Unknown",
                      expiresAt: values["subscription_expires_at"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)),
                      disabledFilters: values["subscription_disabled_filters"].flatMap {
                          try? JSONDecoder().decode([RingCentralSubscription.DisabledFilter].self, from: Data($0.utf8))
                      } ?? [])
    }

    /// The admin's Create: a second press renews the existing one instead of adding another
    /// (RingCentral allows 30 per user per app).
    @discardableResult
    func createOrRenew() async throws -> Status {
        if try await current() != nil, let renewed = try? await renew() { return renewed }
        return try await create()
    }

    @discardableResult
    func create(options: RingCentralClientOptions = .interactive) async throws -> Status {
        guard let token = try await verificationToken(create: true) else { throw RingCentralError.notConnected }
        let client = try await service.client(options: options, relatedType: "subscription")
        let scope = try await service.settings.load().callLogScope
        let subscription = try await client.createSubscription(eventFilters: Self.eventFilters(scope: scope), address: address,
                                                               verificationToken: token, expiresIn: Self.lifetime)
        return try await remember(subscription)
    }

    /// A new subscription with today's filters, then the old one deleted (in that order, so
    /// notifications never stop): after "Calls to watch" changed.
    @discardableResult
    func replace(options: RingCentralClientOptions = .interactive) async throws -> Status {
        let old = try await current()?.id
        let status = try await create(options: options)
        if let old, old != status.id {
            let client = try await service.client(options: options, relatedType: "subscription")
            try? await client.deleteSubscription(id: old)
        }
        return status
    }

    @discardableResult
    func renew(options: RingCentralClientOptions = .interactive) async throws -> Status? {
        guard let id = try await current()?.id else { return nil }
        let client = try await service.client(options: options, relatedType: "subscription")
        return try await remember(try await client.renewSubscription(id: id))
    }

    func delete(options: RingCentralClientOptions = .interactive) async throws {
        if let id = try await current()?.id {
            let client = try await service.client(options: options, relatedType: "subscription")
            do { try await client.deleteSubscription(id: id) }
            catch RingCentralError.request(404, _, _, _) {}  // already gone at RingCentral
        }
        try await forget()
    }

    /// What the hourly job does: nothing without a subscription; recreate one that RingCentral
    /// lost or blacklisted; renew one that expires soon.
    @discardableResult
    func maintain(now: Date) async throws -> String {
        guard let known = try await current() else { return "no subscription" }
        let client = try await service.client(relatedType: "subscription")
        let remote: RingCentralSubscription
        do {
            remote = try await client.subscription(id: known.id)
        } catch RingCentralError.request(404, _, _, _) {
            // The new one replaces the old record only once it exists: a failure here leaves
            // the old id in place, so the next hourly run tries again.
            try await create(options: .init())
            return "recreated (RingCentral no longer had it)"
        }
        if remote.status == "Blacklisted" || remote.status == "Suspended" {
            try await create(options: .init())
            try? await client.deleteSubscription(id: known.id)
            return "recreated (it was \(remote.status ?? "blacklisted"))"
        }
        let scope = try await service.settings.load().callLogScope
        if let watching = Self.callScope(of: remote.eventFilters ?? []), watching != scope {
            try await replace(options: .init())
            return "recreated (calls to watch changed)"
        }
        if let expires = remote.expirationDate, expires.timeIntervalSince(now) < Self.renewWithin {
            try await renew(options: .init())
            return "renewed"
        }
        try await remember(remote)
        return "active"
    }

    @discardableResult
    private func remember(_ subscription: RingCentralSubscription) async throws -> Status {
        let disabled = subscription.disabledFilters ?? []
        try await service.settings.setValues([
            "subscription_id": subscription.id, "subscription_status": subscription.status ?? "Active",
            "subscription_expires_at": subscription.expirationDate.map { String($0.timeIntervalSince1970) },
            "subscription_disabled_filters": disabled.isEmpty ? nil : String(decoding: try JSONEncoder().encode(disabled), as: UTF8.self),
        ])
        return Status(id: subscription.id, status: subscription.status ?? "Active", expiresAt: subscription.expirationDate,
                      disabledFilters: disabled)
    }

    private func forget() async throws {
        try await service.settings.setValues(["subscription_id": nil, "subscription_status": nil, "subscription_expires_at": nil,
                                              "subscription_disabled_filters": nil])
    }
}
