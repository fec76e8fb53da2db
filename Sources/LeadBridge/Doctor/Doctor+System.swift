import Fluent
import Foundation
import SQLKit
import Vapor

/// This install: the database, its migrations, the key, and the addresses providers are given.
extension Doctor {
    static let area = "LeadBridge"

    func system() async -> [DoctorCheck] {
        let migrations = await migrationsCurrent()
        let key = migrations.verdict == .pass ? await keyReadable() : .unknown(Self.area, "APP_KEY opens the secrets", "Not checked before the migrations.")
        let proxies = migrations.verdict == .pass ? await proxyHeaders() : .unknown(Self.area, Self.proxyCheck, "Not checked before the migrations.")
        return [await databaseWritable(), migrations, key, appURL(), callbackURL(), proxies]
    }

    static let proxyCheck = "visitors' addresses"

    /// Enquiries that came with forwarding headers LeadBridge ignored (`forwarded_by`): behind a
    /// CDN or load balancer missing from the settings, every visitor is recorded as the proxy,
    /// so the rate limits and the SuiteDash allowance count them all as one sender.
    private func proxyHeaders() async -> DoctorCheck {
        let since = services.clock.now().addingTimeInterval(-7 * 86_400)
        do {
            // Spam left out: a bot sending its own X-Forwarded-For must not be taken for a proxy.
            let rows = try await db.sql().select().column("forwarded_by").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
                .from(Enquiry.schema).where("forwarded_by", .isNot, SQLLiteral.null).where("created_at", .greaterThanOrEqual, since)
                .where("status", .notEqual, EnquiryStatus.spam.rawValue)
                .groupBy("forwarded_by").orderBy("n", .descending).limit(1).all()
            guard let row = rows.first else {
                return .pass(Self.area, Self.proxyCheck, "No enquiry in the last 7 days carried an X-Forwarded-For that LeadBridge ignored: each visitor's own address is recorded.")
            }
            let peer = try row.decode(column: "forwarded_by", as: String.self)
            let count = try row.decode(column: "n", as: Int.self)
            let all = try await db.sql().select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(Enquiry.schema)
                .where("created_at", .greaterThanOrEqual, since).where("status", .notEqual, EnquiryStatus.spam.rawValue)
                .first()?.decode(column: "n", as: Int.self) ?? count
            return .unknown(Self.area, Self.proxyCheck, Self.proxyAdvice(peer: peer, count: count, of: all,
                                                                         trustsSome: !services.config.trustedProxies.isEmpty))
        } catch {
            return .unknown(Self.area, Self.proxyCheck, "The enquiries could not be read (\(String(describing: error).prefix(200))).")
        }
    }

    /// What to do about `count` of `all` enquiries that `peer` handed over with an untrusted
    /// X-Forwarded-For. Only a peer on this machine or network is named as the setting to copy:
    /// a public address is one anybody can send the header from, and on a quiet install a few
    /// enquiries of a visitor's own are "most" of them. Trusting it would let that visitor claim
    /// to be anyone, so for a public peer the advice is the CDN's published ranges, checked first.
    static func proxyAdvice(peer: String, count: Int, of all: Int, trustsSome: Bool) -> String {
        let opening = "\(count) enquir\(count == 1 ? "y" : "ies") of \(all) in the last 7 days came from \(peer) with an X-Forwarded-For that LeadBridge did not trust, so each was recorded as \(peer)."
        if IPAddress(peer).map({ $0.isLoopback || $0.isPrivate }) == true {
            let setting = trustsSome ? "add \(peer) (or its provider's ranges) to TRUSTED_PROXIES" : "set TRUSTED_PROXIES=\(peer) (or its provider's ranges)"
            return opening + " If that is your reverse proxy or load balancer, every visitor counts as one for the rate limits and the SuiteDash allowance: \(setting)."
        }
        if count * 2 >= all {
            return opening + " If you use a CDN, check that \(peer) is in its published address ranges and put those ranges in TRUSTED_PROXIES; if it is not, it is a visitor sending the header themselves: leave it untrusted."
        }
        return opening + " Most enquiries did not, so this is likely a visitor who sent the header: leave it untrusted."
    }

    private struct RolledBack: Error {}

    /// A table made and dropped in one rolled-back transaction (DDL is transactional in both
    /// SQLite and PostgreSQL): proves writes are accepted and leaves nothing behind.
    private func databaseWritable() async -> DoctorCheck {
        let name = "database writable"
        let which = services.config.databaseURL == nil ? "SQLite at \(services.config.sqlitePath)" : "PostgreSQL (DATABASE_URL)"
        do {
            try await db.transaction { tx in
                try await tx.sql().raw("CREATE TABLE leadbridge_doctor_probe (id INTEGER)").run()
                throw RolledBack()
            }
            return .fail(Self.area, name, "\(which): the probe was not rolled back.")
        } catch is RolledBack {
            return .pass(Self.area, name, "\(which) accepts writes.")
        } catch {
            return .fail(Self.area, name, "\(which) refused a write (\(String(describing: error).prefix(200))): check the file's or the role's permissions and free space.")
        }
    }

    private func migrationsCurrent() async -> DoctorCheck {
        let name = Self.migrationsCheck
        do {
            let rows = try await db.sql().select().column("name").from("_fluent_migrations").all()
            let applied = Set(try rows.map { try $0.decode(column: "name", as: String.self) })
            let known = AppMigrations.all.map(\.name)
            let missing = known.filter { !applied.contains($0) }
            let unknown = applied.subtracting(known).sorted()
            if !missing.isEmpty {
                return .fail(Self.area, name, "\(missing.count) not applied (\(missing.prefix(3).joined(separator: ", "))\(missing.count > 3 ? ", …" : "")): run leadbridge migrate.")
            }
            if !unknown.isEmpty {
                return .fail(Self.area, name, "The database has migrations this build does not know (\(unknown.prefix(3).joined(separator: ", "))): this binary is older than the database; run the newer one.")
            }
            return .pass(Self.area, name, "All \(known.count) applied.")
        } catch {
            return .fail(Self.area, name, "The migrations table could not be read (\(String(describing: error).prefix(200))): run leadbridge migrate.")
        }
    }

    /// Every sealed setting opens under APP_KEY (or APP_PREVIOUS_KEYS).
    private func keyReadable() async -> DoctorCheck {
        let name = "APP_KEY opens the secrets"
        do {
            _ = try await services.suiteDash.settings.load()
            _ = try await services.ringCentral.settings.load()
            return .pass(Self.area, name, "The saved SuiteDash and RingCentral secrets open with it.")
        } catch {
            return .fail(Self.area, name, "A saved secret does not open (\(String(describing: error).prefix(200))): APP_KEY changed; put the old key in APP_PREVIOUS_KEYS, then run leadbridge key rotate.")
        }
    }

    private func appURL() -> DoctorCheck {
        Self.appURL(services.config.appURL, production: application.environment == .production)
    }

    static func appURL(_ url: String, production: Bool) -> DoctorCheck {
        let name = "APP_URL"
        if url.lowercased().hasPrefix("https://") { return .pass(area, name, "\(url) is https.") }
        if production {
            return .fail(area, name, "\(url) is not https: in production RingCentral's redirect and webhooks, and the admin's cookies, need https. Put LeadBridge behind TLS and set APP_URL to its https address.")
        }
        return .unknown(area, name, "\(url) is not https; fine on this machine, but production needs an https APP_URL.")
    }

    /// RingCentral returns to the redirect URI and posts webhooks to APP_URL's address: both must be this server.
    private func callbackURL() -> DoctorCheck {
        let name = "callback and webhook URLs"
        let base = services.config.appURL.hasSuffix("/") ? String(services.config.appURL.dropLast()) : services.config.appURL
        let expected = base + "/api/integrations/ringcentral/callback"
        let redirect = services.config.ringCentral.redirectURI
        let webhook = services.ringCentral.subscriptions.address
        if redirect == expected {
            return .pass(Self.area, name, "Redirect URI \(redirect) and webhook address \(webhook) both come from APP_URL.")
        }
        return .unknown(Self.area, name, "RINGCENTRAL_REDIRECT_URI is \(redirect), not \(expected): fine behind a proxy that forwards it here, but it must be registered exactly so in RingCentral's developer console. Webhooks go to \(webhook).")
    }
}
