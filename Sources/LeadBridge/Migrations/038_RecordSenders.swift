import Fluent
import Foundation
import SQLKit

/// The per-address sync allowance counts IPv6 senders by their /64 (issue #31's review): one
/// visitor holds a whole /64 and could send each enquiry from a new address in it. Each
/// enquiry keeps `ClientAddress.senderNetwork` of its address; the last day's enquiries are filled
/// in here, since the allowance looks back 24 hours. Its index replaces 036's on (ip,
/// created_at), which only the allowance read: every enquiry's INSERT keeps one index fewer.
///
/// And `forwarded_by`: the peer that handed LeadBridge an enquiry with forwarding headers it
/// did not trust (no TRUST_PROXY_HEADERS, or a peer missing from TRUSTED_PROXIES). Behind a CDN
/// set up so, every visitor is recorded as the CDN; `leadbridge doctor` says so from these.
struct RecordSenders: AsyncMigration {
    var name: String { "038_RecordSenders" }

    func prepare(on database: any Database) async throws {
        try await database.schema("contact_submissions").field("ip_network", .string).update()
        try await database.schema("contact_submissions").field("forwarded_by", .string).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX contact_submissions_ip_network_created_index ON contact_submissions (ip_network, created_at)").run()
        try await sql.raw("DROP INDEX IF EXISTS contact_submissions_ip_created_index").run()
        let rows = try await sql.select().column("id").column("ip").from("contact_submissions")
            .where("created_at", .greaterThanOrEqual, Date().addingTimeInterval(-24 * 3600))
            .where("ip", .isNot, SQLLiteral.null).all()
        for row in rows {
            guard let network = ClientAddress.senderNetwork(try row.decode(column: "ip", as: String.self)) else { continue }
            try await sql.update("contact_submissions").set("ip_network", to: network)
                .where("id", .equal, try row.decode(column: "id", as: Int.self)).run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP INDEX IF EXISTS contact_submissions_ip_network_created_index").run()
            try await sql.raw("CREATE INDEX IF NOT EXISTS contact_submissions_ip_created_index ON contact_submissions (ip, created_at)").run()
        }
        try await database.schema("contact_submissions").deleteField("forwarded_by").update()
        try await database.schema("contact_submissions").deleteField("ip_network").update()
    }
}
