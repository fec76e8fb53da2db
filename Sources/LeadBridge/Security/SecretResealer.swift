import Fluent
import Foundation

/// Finds every sealed value LeadBridge stores and re-seals those made under an older key, so
/// that key can leave `APP_PREVIOUS_KEYS` for good. Each value is opened with the context it
/// was sealed under, which follows its place: `integration_settings.credentials.<provider>.<key>`,
/// `integration_settings.<provider>.<key>` for sealed bookkeeping values,
/// `ringcentral_tokens.<column>`, and `forms.captcha_secret`.
struct SecretResealer {
    let database: any Database
    let secrets: SecretBox

    struct Census: Sendable, Equatable {
        var sealed = 0
        /// Sealed under a key other than the current APP_KEY.
        var underOldKeys = 0
        /// Do-not-text rows from before the list had its own key, each perhaps hashed under an
        /// old key: they cannot be re-hashed (the list holds no numbers), so while any remain the
        /// previous keys are still needed.
        var optOutsNeedingOldKeys = 0

        /// Whether every key in APP_PREVIOUS_KEYS can go.
        var oldKeysNeeded: Bool { underOldKeys > 0 || optOutsNeedingOldKeys > 0 }
    }

    /// One sealed value, where it lives, and the context it was sealed under.
    private struct Sealed: Sendable {
        enum Place: Sendable { case credential(Int, String), setting(Int, String), accessToken(Int), refreshToken(Int), captchaSecret(Int) }
        let place: Place
        let value: String
        let context: String
    }

    func census() async throws -> Census {
        let all = try await sealedValues(on: database)
        return Census(sealed: all.count, underOldKeys: all.filter { secrets.needsResealing($0.value) }.count,
                      optOutsNeedingOldKeys: secrets.previousKeyCount == 0 ? 0 : try await DoNotText.rowsNeedingOldKeys(on: database))
    }

    /// Re-seals every value under an old key, in one transaction; returns how many. `progress(done, total)`.
    @discardableResult
    func resealAll(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> Int {
        let secrets = self.secrets
        return try await database.transaction { tx in
            let stale = try await sealedValues(on: tx).filter { secrets.needsResealing($0.value) }
            for (index, item) in stale.enumerated() {
                let fresh = try secrets.seal(try secrets.open(item.value, context: item.context), context: item.context)
                try await Self.store(fresh, at: item.place, on: tx)
                progress(index + 1, stale.count)
            }
            return stale.count
        }
    }

    private func sealedValues(on db: any Database) async throws -> [Sealed] {
        var found: [Sealed] = []
        for row in try await IntegrationSetting.query(on: db).all() {
            guard let id = row.id else { continue }
            for (key, value) in row.credentials ?? [:] where value.hasPrefix("lb1.") {
                found.append(Sealed(place: .credential(id, key), value: value, context: "integration_settings.credentials.\(row.provider).\(key)"))
            }
            for (key, value) in row.settings ?? [:] where value.hasPrefix("lb1.") {
                found.append(Sealed(place: .setting(id, key), value: value, context: "integration_settings.\(row.provider).\(key)"))
            }
        }
        for row in try await RingCentralTokenRecord.query(on: db).all() {
            guard let id = row.id else { continue }
            if let value = row.sealedAccessToken {
                found.append(Sealed(place: .accessToken(id), value: value, context: RingCentralTokenRepository.accessContext))
            }
            if let value = row.sealedRefreshToken {
                found.append(Sealed(place: .refreshToken(id), value: value, context: RingCentralTokenRepository.refreshContext))
            }
        }
        for form in try await WebForm.query(on: db).filter(\.$sealedCaptchaSecret != nil).all() {
            guard let id = form.id, let value = form.sealedCaptchaSecret else { continue }
            found.append(Sealed(place: .captchaSecret(id), value: value, context: WebForm.captchaSecretContext))
        }
        return found
    }

    private static func store(_ value: String, at place: Sealed.Place, on db: any Database) async throws {
        switch place {
        case .credential(let id, let key), .setting(let id, let key):
            guard let row = try await IntegrationSetting.find(id, on: db) else { return }
            if case .credential = place { row.credentials?[key] = value } else { row.settings?[key] = value }
            try await row.save(on: db)
        case .accessToken(let id), .refreshToken(let id):
            guard let row = try await RingCentralTokenRecord.find(id, on: db) else { return }
            if case .accessToken = place { row.sealedAccessToken = value } else { row.sealedRefreshToken = value }
            try await row.save(on: db)
        case .captchaSecret(let id):
            guard let form = try await WebForm.find(id, on: db) else { return }
            form.sealedCaptchaSecret = value
            try await form.save(on: db)
        }
    }
}
