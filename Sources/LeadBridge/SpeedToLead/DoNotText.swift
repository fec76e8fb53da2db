import Crypto
import Fluent
import Foundation
import SQLKit

/// The numbers that texted STOP (`do_not_text`), kept as HMACs under the list's own key: the list
/// outlives a person's erasure, so they are never texted automatically again, yet it holds no
/// number (a bare SHA-256 of a phone number is undone by trying every number). The key is kept
/// sealed, so a rotation of APP_KEY re-seals it instead of orphaning every hash.
struct DoNotText: Sendable {
    static let purpose = "do_not_text.number"

    /// The opt-out keywords RingCentral documents (STOP, UNSUBSCRIBE, QUIT, CANCEL, END) and the
    /// other common carriers' ones, RingCentral's opt-in keywords and the CTIA's YES, and the
    /// help keywords carriers expect an answer to (HELP, INFO). The whole text must be the
    /// keyword: "please don't stop calling" opts nobody out.
    static let stopWords: Set<String> = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPT-OUT", "REVOKE"]
    static let startWords: Set<String> = ["START", "SUBSCRIBE", "RESUME", "CONTINUE", "UNSTOP", "YES"]
    static let helpWords: Set<String> = ["HELP", "INFO"]

    enum Keyword: Equatable { case stop(String), start(String), help(String) }

    static func keyword(in text: String) -> Keyword? {
        let word = text.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters).subtracting(["-"])).uppercased()
        if stopWords.contains(word) { return .stop(word) }
        if startWords.contains(word) { return .start(word) }
        if helpWords.contains(word) { return .help(word) }
        return nil
    }

    let secrets: SecretBox

    /// The list's own HMAC key: 32 bytes sealed in `integration_settings` (provider
    /// `do_not_text`), so `key rotate` re-seals it like every secret and the hashes never change.
    /// It is first made from the APP_KEY current then (HKDF, as the list's hashes always were),
    /// so the rows already hashed under that key keep matching, and two processes adopting it at
    /// once write the same value.
    static let provider = "do_not_text"
    static let keySetting = "hmac_key"
    static var keyContext: String { "integration_settings.\(provider).\(keySetting)" }

    private func listKey(on db: any Database) async throws -> SymmetricKey {
        if let row = try await IntegrationSetting.query(on: db).filter(\.$provider == Self.provider).first(),
           let sealed = row.settings?[Self.keySetting] {
            guard let bytes = Data(base64Encoded: try secrets.open(sealed, context: Self.keyContext)), bytes.count == 32 else {
                throw SecretBoxError.malformed
            }
            return SymmetricKey(data: bytes)
        }
        let derived = HKDF<SHA256>.deriveKey(inputKeyMaterial: secrets.currentKey.symmetricKey, info: Data(Self.purpose.utf8), outputByteCount: 32)
        let sealed = try secrets.seal(derived.withUnsafeBytes { Data($0).base64EncodedString() }, context: Self.keyContext)
        let sql = try db.sql()
        let settings = String(decoding: try JSONEncoder().encode([Self.keySetting: sealed]), as: UTF8.self)
        // ON CONFLICT, not a failed insert: inside a PostgreSQL transaction a failed statement ends it.
        try await sql.raw("""
            INSERT INTO integration_settings (provider, is_enabled, settings, created_at, updated_at)
            VALUES (\(bind: Self.provider), \(bind: false), \(sql.jsonValue(settings)), \(bind: Date()), \(bind: Date()))
            ON CONFLICT (provider) DO NOTHING
            """).run()
        // With no previous key, every older row was hashed under the current key, which the list
        // key now is. With previous keys, a row may be under one of them: it stays marked as
        // older until its number is seen again and hashed anew.
        if secrets.previousKeyCount == 0 {
            try await sql.update("do_not_text").set("list_key", to: SQLBind(true)).where("list_key", .equal, SQLBind(false)).run()
        }
        // Read back: another process may have written it first (the same value, made the same way).
        return try await listKey(on: db)
    }

    /// Makes the list's key now if there is none yet (`key rotate` does, before it re-seals).
    func adoptKey(on db: any Database) async throws { _ = try await listKey(on: db) }

    /// The number's hash under the list's key.
    func hash(_ e164: String, on db: any Database) async throws -> String {
        Self.mac(e164, key: try await listKey(on: db))
    }

    private static func mac(_ e164: String, key: SymmetricKey) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(e164.utf8), using: key)).base64URLEncodedString()
    }

    /// Every hash the number may be stored under: the list key's, then (for rows from before the
    /// list had its own key) those under APP_KEY and each previous key.
    private func hashes(_ e164: String, on db: any Database) async throws -> (current: String, all: [String]) {
        let current = try await hash(e164, on: db)
        return (current, [current] + secrets.macs(e164, purpose: Self.purpose).filter { $0 != current })
    }

    func isOptedOut(_ number: String, on db: any Database) async throws -> Date? {
        guard let e164 = PhoneNumber.e164(number) else { return nil }
        let (current, all) = try await hashes(e164, on: db)
        let sql = try db.sql()
        let rows = try await sql.select().column("number_hash").column("opted_out_at").column("list_key").from("do_not_text")
            .where("number_hash", .in, all).all()
        var earliest: Date?
        for row in rows {
            let date = try row.decode(column: "opted_out_at", as: Date.self)
            earliest = min(earliest ?? date, date)
            // An older row, seen again: hashed anew under the list key, so no old key is needed for it.
            if try row.decode(column: "number_hash", as: String.self) != current || !(try row.decode(column: "list_key", as: Bool.self)) {
                try await rehash(from: try row.decode(column: "number_hash", as: String.self), to: current, optedOutAt: date, on: sql)
            }
        }
        return earliest
    }

    private func rehash(from old: String, to current: String, optedOutAt: Date, on sql: any SQLDatabase) async throws {
        if old == current {
            try await sql.update("do_not_text").set("list_key", to: SQLBind(true)).where("number_hash", .equal, SQLBind(old)).run()
            return
        }
        try await sql.raw("""
            INSERT INTO do_not_text (number_hash, keyword, opted_out_at, list_key)
            SELECT \(bind: current), keyword, opted_out_at, \(bind: true) FROM do_not_text WHERE number_hash = \(bind: old)
            ON CONFLICT (number_hash) DO NOTHING
            """).run()
        try await sql.delete(from: "do_not_text").where("number_hash", .equal, SQLBind(old)).run()
    }

    func optOut(_ e164: String, keyword: String, at date: Date, on db: any Database) async throws {
        try await db.sql().insert(into: "do_not_text").columns("number_hash", "keyword", "opted_out_at", "list_key")
            .values(SQLBind(try await hash(e164, on: db)), SQLBind(String(keyword.prefix(20))), SQLBind(date), SQLBind(true))
            .ignoringConflicts(with: ["number_hash"]).run()
    }

    func optIn(_ e164: String, on db: any Database) async throws {
        try await db.sql().delete(from: "do_not_text").where("number_hash", .in, try await hashes(e164, on: db).all).run()
    }

    /// Rows hashed before the list had its own key while previous keys were in use: each may be
    /// under an old key, which must stay in APP_PREVIOUS_KEYS until its number is seen again.
    static func rowsNeedingOldKeys(on db: any Database) async throws -> Int {
        let row = try await db.sql().raw("SELECT COUNT(*) AS n FROM do_not_text WHERE list_key = \(bind: false)").first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }
}
