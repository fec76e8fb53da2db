import Fluent
import Foundation
import RingCentralKit

/// RingCentral: the tokens, the app's permissions, a number that may text, the webhook
/// subscription, the rate-limit headers and the clock. Light reads only (one Heavy read of the
/// company's call log when that is what the install watches).
extension Doctor {
    /// More than this apart and RingCentral's timestamps (call times, token expiries) mislead.
    static let clockTolerance: TimeInterval = 60

    func ringCentral() async -> [DoctorCheck] {
        let area = "RingCentral"
        let configuration: RingCentralSettings
        do { configuration = try await services.ringCentral.settings.load() } catch {
            return [.fail(area, "settings", "The RingCentral settings could not be read (\(String(describing: error).prefix(200))).")]
        }
        guard configuration.isConfigured else { return [.unknown(area, "app", "Not set up: no RingCentral client id and secret.")] }
        let token = try? await RingCentralTokenRecord.query(on: db).sort(\.$id, .descending).first()
        guard let token else {
            return [.fail(area, "connected", "The app is set up but not connected: press Connect RingCentral in Admin > RingCentral.")]
        }
        if let reason = configuration.reauthorizationReason {
            return [.fail(area, "connected", reason)]
        }
        var checks: [DoctorCheck] = []
        let client: RingCentralClient
        let probe: RingCentralProbe
        do {
            client = try await services.ringCentral.client(relatedType: "doctor")
            probe = try await client.probe()
            let who = [probe.extensionInfo.extensionNumber.map { "extension \($0)" }, probe.extensionInfo.name].compactMap { $0 }.joined(separator: ", ")
            checks.append(.pass(area, "access token", "Accepted: signed in as \(who.isEmpty ? "the connected user" : who)."))
        } catch {
            return [.fail(area, "access token", "RingCentral refused the connection: \(Self.sentence(error))")]
        }
        checks.append(renewal(token, configuration))
        checks.append(permissions(token))
        checks.append(await textingNumber(client))
        checks.append(await subscription(client, configuration))
        checks.append(rateLimitHeaders(probe))
        checks.append(clock(probe))
        if configuration.callLogScope == .company { checks.append(await companyLog(client)) }
        return checks
    }

    private static func sentence(_ error: any Error) -> String {
        (error as? RingCentralError)?.description ?? String(String(describing: error).prefix(200))
    }

    private func renewal(_ token: RingCentralTokenRecord, _ configuration: RingCentralSettings) -> DoctorCheck {
        let name = "renewal"
        if token.sealedRefreshToken != nil, let until = token.refreshTokenExpiresAt, until > now {
            return .pass("RingCentral", name, "A refresh token renews access until \(AdminDate.format(until)); each refresh extends it.")
        }
        if configuration.jwt != nil {
            return .pass("RingCentral", name, "Renewed by signing in again with the JWT credential.")
        }
        return .fail("RingCentral", name, "Nothing can renew access after \(AdminDate.format(token.expiresAt)): turn on \"Issue refresh tokens\" for the app in RingCentral's developer console, or add a JWT credential, then Reconnect.")
    }

    private func permissions(_ token: RingCentralTokenRecord) -> DoctorCheck {
        let features = RingCentralPermissions.check(scope: token.scope ?? "")
        let missing = features.filter { !$0.granted }.map(\.permission)
        if missing.isEmpty { return .pass("RingCentral", "app permissions", "All \(features.count) in the token's scope.") }
        return .fail("RingCentral", "app permissions", "Missing from the app: \(missing.joined(separator: ", ")). Add them in RingCentral's developer console, then Reconnect (Admin > RingCentral lists what each is for).")
    }

    private func textingNumber(_ client: RingCentralClient) async -> DoctorCheck {
        let name = "number that texts"
        do {
            let numbers = try await client.phoneNumbers()
            guard let sender = numbers.first(where: \.canSendSMS) else {
                return .fail("RingCentral", name, "None of the extension's \(numbers.count) number(s) has the SmsSender feature: texts cannot be sent. Assign an SMS-capable number to the user in RingCentral's admin portal.")
            }
            if sender.features?.contains("A2PSmsSender") == true {
                return .pass("RingCentral", name, "\(sender.phoneNumber) may send SMS and is enabled for A2P (High Volume) SMS.")
            }
            return .unknown("RingCentral", name, "\(sender.phoneNumber) may send SMS. Whether its 10DLC campaign is registered cannot be read from the API: check SMS registration in RingCentral's admin portal (unregistered US numbers have texting turned off).")
        } catch {
            return .fail("RingCentral", name, Self.sentence(error))
        }
    }

    private func subscription(_ client: RingCentralClient, _ configuration: RingCentralSettings) async -> DoctorCheck {
        let name = "webhook subscription"
        guard let local = try? await services.ringCentral.subscriptions.current() else {
            return .fail("RingCentral", name, "None: inbound texts and missed calls wait for the call-log sync. Press Create webhook subscription in Admin > RingCentral.")
        }
        do {
            let remote = try await client.subscription(id: local.id)
            let disabled = remote.disabledFilters ?? []
            guard remote.status == "Active" else {
                return .fail("RingCentral", name, "RingCentral says \(remote.status ?? "no status") for \(local.id): press Create webhook subscription in Admin > RingCentral to renew it.")
            }
            if !disabled.isEmpty {
                return .fail("RingCentral", name, disabled.map { RingCentralSubscriptions.explain($0, callLogMinutes: configuration.callLogSyncMinutes) }.joined(separator: " "))
            }
            return .pass("RingCentral", name, "Active, no filter disabled, delivering to \(remote.deliveryMode?.address ?? services.ringCentral.subscriptions.address).")
        } catch {
            return .fail("RingCentral", name, Self.sentence(error))
        }
    }

    private func rateLimitHeaders(_ probe: RingCentralProbe) -> DoctorCheck {
        guard let limit = probe.rateLimitLimit else {
            return .unknown("RingCentral", "rate-limit headers", "RingCentral sent no X-Rate-Limit-* headers: LeadBridge keeps to the documented limits.")
        }
        return .pass("RingCentral", "rate-limit headers", "Seen: \(probe.rateLimitGroup ?? "a group") \(limit) requests per \(probe.rateLimitWindow ?? 60) s.")
    }

    private func clock(_ probe: RingCentralProbe) -> DoctorCheck {
        guard let offset = probe.clockOffset else {
            return .unknown("RingCentral", "clock", "RingCentral sent no Date header to compare this machine's clock with.")
        }
        let seconds = Int(offset.rounded())
        if abs(offset) <= Self.clockTolerance {
            return .pass("RingCentral", "clock", "This machine's clock is within \(abs(seconds)) s of RingCentral's.")
        }
        return .fail("RingCentral", "clock", "This machine's clock is \(abs(seconds)) s \(offset > 0 ? "behind" : "ahead of") RingCentral's: token expiries and call times will be wrong. Turn on time sync (NTP, for example systemd-timesyncd).")
    }

    private func companyLog(_ client: RingCentralClient) async -> DoctorCheck {
        do {
            _ = try await client.callLog(dateFrom: now.addingTimeInterval(-60), perPage: 1, scope: .company)
            return .pass("RingCentral", "company call log", "The connected user may read every extension's calls.")
        } catch {
            return .fail("RingCentral", "company call log", "\"Calls to watch\" is the whole company, but: \(Self.sentence(error))")
        }
    }
}
