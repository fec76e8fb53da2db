import Fluent
import Foundation
import SQLKit

/// The numbers that texted STOP (`do_not_text`), kept as HMACs under a key derived from APP_KEY:
/// the list outlives a person's erasure, so they are never texted automatically again, yet it
/// holds no number (a bare SHA-256 of a phone number is undone by trying every number).
struct DoNotText: Sendable {
    static let purpose = "do_not_text.number"

    /// The opt-out keywords RingCentral documents (STOP, UNSUBSCRIBE, QUIT, CANCEL, END) and the
    /// other common carriers' ones, and RingCentral's opt-in keywords. The whole text must be
    /// the keyword: "please don't stop calling" opts nobody out.
    static let stopWords: Set<String> = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPT-OUT", "REVOKE"]
    static let startWords: Set<String> = ["START", "SUBSCRIBE", "RESUME", "CONTINUE", "UNSTOP"]

    enum Keyword: Equatable { case stop(String), start(String) }

    static func keyword(in text: String) -> Keyword? {
        let word = text.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters).subtracting(["-"])).uppercased()
        if stopWords.contains(word) { return .stop(word) }
        if startWords.contains(word) { return .start(word) }
        return nil
    }

    let secrets: SecretBox

    /// The number's hash under the current key, then under each previous key (a list kept
    /// through a key rotation still matches).
    func hashes(_ e164: String) -> [String] {
        secrets.macs(e164, purpose: Self.purpose)
    }

    func isOptedOut(_ number: String, on db: any Database) async throws -> Date? {
        guard let e164 = PhoneNumber.e164(number) else { return nil }
        let rows = try await JobQueue.sql(db).select().column("opted_out_at").from("do_not_text")
            .where("number_hash", .in, hashes(e164)).all()
        return try rows.compactMap { try $0.decode(column: "opted_out_at", as: Date?.self) }.min()
    }

    func optOut(_ e164: String, keyword: String, at date: Date, on db: any Database) async throws {
        try await JobQueue.sql(db).insert(into: "do_not_text").columns("number_hash", "keyword", "opted_out_at")
            .values(SQLBind(hashes(e164)[0]), SQLBind(String(keyword.prefix(20))), SQLBind(date))
            .ignoringConflicts(with: ["number_hash"]).run()
    }

    func optIn(_ e164: String, on db: any Database) async throws {
        try await JobQueue.sql(db).delete(from: "do_not_text").where("number_hash", .in, hashes(e164)).run()
    }
}
