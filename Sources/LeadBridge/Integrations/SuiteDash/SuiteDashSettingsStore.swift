import Fluent
import Foundation
import SuiteDashKit

/// Reads and writes SuiteDash's row in `integration_settings`. Keys are sealed under
/// APP_KEY before they are stored and are never handed back to a browser.
struct SuiteDashSettingsStore {
    static let provider = "suitedash"
    private static let publicIDContext = "integration_settings.credentials.suitedash.public_id"
    private static let secretKeyContext = "integration_settings.credentials.suitedash.secret_key"

    /// Keys of the row's `settings` added with the field mapping.
    enum Key {
        static let circles = "circles"
        static let lastNamePlaceholder = "last_name_placeholder"
        static let fieldMap = "custom_field_map"
        static let customFieldCatalog = "custom_field_catalog"
    }

    let database: any Database
    let secrets: SecretBox
    let environment: SuiteDashEnvironment

    func load() async throws -> SuiteDashSettings {
        let row = try await IntegrationSetting.query(on: database).filter(\.$provider == Self.provider).first()
        var configuration = SuiteDashSettings(
            mode: environment.mode, isEnabled: environment.enabled, apiURL: environment.apiURL,
            credentials: environment.publicID.flatMap { id in environment.secretKey.map { .init(publicID: id, secretKey: $0) } },
            tags: environment.tags, circles: [], lastNamePlaceholder: SuiteDashClient.ContactDetails.defaultLastNamePlaceholder,
            fieldMap: [:], customFieldCatalog: [], monthlyCallLimit: environment.monthlyCallLimit,
            failingReason: nil, lastTestedAt: nil, lastTestSuccess: nil, lastTestMessage: nil, savedByAdmin: false)
        guard let row else { return configuration }

        let settings = row.settings ?? [:]
        configuration.failingReason = settings["failing_reason"]
        configuration.lastTestedAt = row.lastTestedAt
        configuration.lastTestSuccess = row.lastTestSuccess
        configuration.lastTestMessage = row.lastTestMessage
        configuration.customFieldCatalog = settings[Key.customFieldCatalog].flatMap(Self.decode) ?? []
        guard settings["saved_by_admin"] == "true" else { return configuration }

        configuration.savedByAdmin = true
        configuration.isEnabled = row.isEnabled
        configuration.mode = row.mode.flatMap(SuiteDashEnvironment.Mode.init(rawValue:)) ?? environment.mode
        if !environment.apiURLIsFixed, let url = settings["api_url"], !url.isEmpty { configuration.apiURL = url }
        if let tags = settings["tags"] { configuration.tags = tags.split(separator: ",").map { String($0) } }
        if let circles = settings[Key.circles] { configuration.circles = circles.split(separator: ",").map { String($0) } }
        if let placeholder = settings[Key.lastNamePlaceholder], !placeholder.isEmpty { configuration.lastNamePlaceholder = placeholder }
        if let map: [String: String] = settings[Key.fieldMap].flatMap(Self.decode) {
            configuration.fieldMap = Dictionary(uniqueKeysWithValues: map.compactMap { field, key in
                SuiteDashMappableField(rawValue: field).map { ($0, key) }
            })
        }
        configuration.monthlyCallLimit = settings["monthly_call_limit"].flatMap(Int.init)
        if let sealedID = row.credentials?["public_id"], let sealedKey = row.credentials?["secret_key"] {
            configuration.credentials = .init(publicID: try secrets.open(sealedID, context: Self.publicIDContext),
                                              secretKey: try secrets.open(sealedKey, context: Self.secretKeyContext))
        }
        return configuration
    }

    /// What the admin form sends. A blank secret keeps the stored one.
    struct Form: Sendable {
        var mode: SuiteDashEnvironment.Mode
        var isEnabled: Bool
        var apiURL: String
        var publicID: String?
        var secretKey: String?
        var tags: [String]
        var circles: [String] = []
        var lastNamePlaceholder = SuiteDashClient.ContactDetails.defaultLastNamePlaceholder
        var fieldMap: SuiteDashFieldMap = [:]
        var monthlyCallLimit: Int?
    }

    func save(_ form: Form) async throws {
        let current = try await load()
        let row = try await self.row()
        row.isEnabled = form.isEnabled
        row.mode = form.mode.rawValue
        var settings = row.settings ?? [:]
        settings["saved_by_admin"] = "true"
        settings["api_url"] = form.apiURL
        settings["tags"] = form.tags.joined(separator: ",")
        settings[Key.circles] = form.circles.joined(separator: ",")
        settings[Key.lastNamePlaceholder] = form.lastNamePlaceholder
        settings[Key.fieldMap] = Self.encode(Dictionary(uniqueKeysWithValues: form.fieldMap.map { ($0.key.rawValue, $0.value) }))
        settings["monthly_call_limit"] = form.monthlyCallLimit.map(String.init)
        let publicID = form.publicID ?? current.credentials?.publicID
        let secretKey = form.secretKey ?? current.credentials?.secretKey
        if let publicID, let secretKey {
            row.credentials = ["public_id": try secrets.seal(publicID, context: Self.publicIDContext),
                               "secret_key": try secrets.seal(secretKey, context: Self.secretKeyContext)]
        }
        if form.publicID != nil || form.secretKey != nil || form.apiURL != current.apiURL {
            // New keys deserve a fresh verdict: the old failure no longer says anything.
            settings["failing_reason"] = nil
        }
        row.settings = settings
        try await row.save(on: database)
    }

    /// `customFields`: what the passing test read from `/contact/meta` (nil keeps what was known).
    func recordTest(success: Bool, message: String, at date: Date,
                    customFields: [SuiteDashContactMeta.CustomField]? = nil) async throws {
        let row = try await self.row()
        row.lastTestedAt = date
        row.lastTestSuccess = success
        row.lastTestMessage = message
        var settings = row.settings ?? [:]
        settings["failing_reason"] = success ? nil : message
        if let customFields { settings[Key.customFieldCatalog] = Self.encode(customFields) }
        row.settings = settings
        try await row.save(on: database)
    }

    /// SuiteDash refused the keys mid-sync: say so in the admin until a test passes.
    func markFailing(_ reason: String) async throws {
        let row = try await self.row()
        var settings = row.settings ?? [:]
        settings["failing_reason"] = reason
        row.settings = settings
        row.lastTestSuccess = false
        row.lastTestMessage = reason
        try await row.save(on: database)
    }

    private static func encode<T: Encodable>(_ value: T) -> String? {
        (try? JSONEncoder().encode(value)).flatMap { String(data: $0, encoding: .utf8) }
    }

    private static func decode<T: Decodable>(_ text: String) -> T? {
        try? JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    private func row() async throws -> IntegrationSetting {
        if let row = try await IntegrationSetting.query(on: database).filter(\.$provider == Self.provider).first() { return row }
        let row = IntegrationSetting(provider: Self.provider)
        row.settings = [:]
        try await row.create(on: database)
        return row
    }
}
