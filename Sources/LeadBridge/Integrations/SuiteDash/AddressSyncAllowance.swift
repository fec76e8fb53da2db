import Fluent
import Foundation
import SQLKit

/// `SUITEDASH_SYNCS_PER_ADDRESS_PER_DAY` (issue #31): the enquiries from one network address
/// get so many automatic SuiteDash syncs in 24 hours; the rest are stored and wait for an
/// admin's Sync now, their page saying why. Spam that slips past every rule then costs the
/// month's calls only at this rate per sender, and a person decides about the rest.
///
/// Counted from the enquiries themselves (no counter to drift): the sender's enquiries of the
/// last 24 hours that are not spam, earlier ones first. A sender is an IPv4 address, or an IPv6
/// /64 (`ClientAddress.senderNetwork`, kept in `ip_network`): a visitor holds a whole /64 and could
/// send each enquiry from a new address in it. Not counted: enquiries with no address,
/// from this machine or a private network (a server-side integration, or a proxy missing from
/// TRUSTED_PROXIES, which would make every visitor one address: holding them all would be the
/// worse mistake), or from `SUITEDASH_SYNCS_UNLIMITED_FROM` (a website's own server).
struct AddressSyncAllowance {
    let perDay: Int
    var unlimited: [CIDR] = []

    func isCounted(_ ip: String) -> Bool {
        guard let address = IPAddress(ip) else { return false }
        if address.isLoopback || address.isPrivate || address.isLinkLocal { return false }
        return !unlimited.contains { $0.contains(address) }
    }

    /// Splits new enquiries into those to sync now and those to hold, in id order.
    /// Each sender's enquiries of the last day before these, spam left out: read from the
    /// (ip_network, created_at) index (a test reads this very query's plan).
    static func earlierEnquiries(of networks: [String], excluding ids: [Int], since: Date, on sql: any SQLDatabase) -> SQLSelectBuilder {
        sql.select().column("ip_network").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(Enquiry.schema)
            .where("ip_network", .in, networks)
            .where("created_at", .greaterThanOrEqual, since)
            .where("status", .notEqual, EnquiryStatus.spam.rawValue)
            .where("id", .notIn, ids)
            .groupBy("ip_network")
    }

    func split(_ ids: [Int], on db: any Database, now: Date) async throws -> (sync: [Int], held: [(id: Int, address: String, ordinal: Int)]) {
        guard let sql = db as? any SQLDatabase else { return (ids, []) }
        let rows = try await sql.select().column("id").column("ip").column("ip_network").from(Enquiry.schema)
            .where("id", .in, ids).orderBy("id").all()
        var addressOf: [Int: String] = [:]
        for row in rows {
            if let ip = try row.decodeNil(column: "ip") ? nil : row.decode(column: "ip", as: String.self), isCounted(ip),
               let network = try row.decodeNil(column: "ip_network") ? nil : row.decode(column: "ip_network", as: String.self) {
                addressOf[try row.decode(column: "id", as: Int.self)] = network
            }
        }
        let addresses = Array(Set(addressOf.values))
        guard !addresses.isEmpty else { return (ids, []) }
        var seen: [String: Int] = [:]
        let earlier = try await Self.earlierEnquiries(of: addresses, excluding: ids, since: now.addingTimeInterval(-24 * 3600), on: sql).all()
        for row in earlier { seen[try row.decode(column: "ip_network", as: String.self)] = try row.decode(column: "n", as: Int.self) }
        var sync: [Int] = [], held: [(Int, String, Int)] = []
        for id in ids.sorted() {
            guard let address = addressOf[id] else { sync.append(id); continue }
            let ordinal = seen[address, default: 0] + 1
            seen[address] = ordinal
            if ordinal > perDay { held.append((id, address, ordinal)) } else { sync.append(id) }
        }
        return (sync, held)
    }

    /// What the enquiry's page says of a held one.
    func sentence(address: String, ordinal: Int) -> String {
        let sender = address.hasSuffix("/64") ? "one IPv6 network (a /64)" : "one address"
        return "Not synced automatically: this is enquiry \(ordinal) from \(address) in 24 hours, past the \(perDay) a day that SUITEDASH_SYNCS_PER_ADDRESS_PER_DAY allows \(sender). If it is real, press Sync now."
    }
}
