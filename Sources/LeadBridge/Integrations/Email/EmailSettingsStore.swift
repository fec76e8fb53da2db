import Fluent
import Foundation
import MailKit

/// Email's row in `integration_settings` (provider "email"): once an admin saves Admin > Email,
/// what they saved replaces the environment's values. The password is sealed under APP_KEY
/// (`credentials.password`), so `SecretResealer` re-seals it with every other secret.
struct EmailSettingsStore: Sendable {
    static let provider = "email"
    static let passwordContext = "integration_settings.credentials.email.password"

    let database: any Database
    let environment: MailEnvironment
    let secrets: SecretBox

    /// `openingPassword: false` for pages that show who is emailed and never send: a password
    /// sealed under another APP_KEY must not turn them into errors.
    func load(openingPassword: Bool = true) async throws -> EmailSettings {
        var settings = EmailSettings(environment: environment)
        guard let row = try await row(), let saved = row.settings else { return settings }
        if let host = saved["host"] { settings.host = host }
        if let port = saved["port"] { settings.port = Int(port) }
        if let username = saved["username"] { settings.username = username }
        if openingPassword, let sealed = row.credentials?["password"] { settings.password = try secrets.open(sealed, context: Self.passwordContext) }
        if let encryption = saved["encryption"].flatMap(SMTPConfiguration.Encryption.init(rawValue:)) { settings.encryption = encryption }
        if let from = saved["from_address"] { settings.fromAddress = from }
        if let name = saved["from_name"] { settings.fromName = name }
        if let to = saved["alert_to"] { settings.alertTo = to.split(separator: ",").map(String.init) }
        if let mode = saved["staff_mode"].flatMap(EmailSettings.StaffMode.init(rawValue:)) { settings.staffMode = mode }
        if let hour = saved["digest_hour"].flatMap(Int.init) { settings.digestHour = hour }
        if let on = saved["acknowledgement_on"] { settings.acknowledgementOn = on == "true" }
        if let subject = saved["acknowledgement_subject"] { settings.acknowledgementSubject = subject }
        if let body = saved["acknowledgement_body"] { settings.acknowledgementBody = body }
        if let footer = saved["business_footer"] { settings.businessFooter = footer }
        return settings
    }

    /// For Admin pages: a password sealed under a key this process lacks is said, not thrown,
    /// so the page still opens and the admin can type the password again.
    func loadForPage() async throws -> (settings: EmailSettings, passwordProblem: String?) {
        do { return (try await load(), nil) } catch let error as SecretBoxError {
            return (try await load(openingPassword: false), "The saved mail password cannot be opened: \(error.description) Or type the password again and save.")
        }
    }

    func isSaved() async throws -> Bool { try await row()?.settings != nil }

    /// Saves checked values; an empty `password` keeps the one stored (the form never shows it).
    func save(_ settings: EmailSettings, keepPassword: Bool) async throws {
        let secrets = self.secrets
        try await database.writeTransaction { tx in
            let row = try await IntegrationSetting.query(on: tx).filter(\.$provider == Self.provider).first()
                ?? IntegrationSetting(provider: Self.provider)
            row.isEnabled = settings.canSend
            row.settings = [
                "host": settings.host, "port": settings.port.map(String.init) ?? "", "username": settings.username,
                "encryption": settings.encryption.rawValue, "from_address": settings.fromAddress, "from_name": settings.fromName,
                "alert_to": settings.alertTo.joined(separator: ","), "staff_mode": settings.staffMode.rawValue,
                "digest_hour": String(settings.digestHour), "acknowledgement_on": settings.acknowledgementOn ? "true" : "false",
                "acknowledgement_subject": settings.acknowledgementSubject, "acknowledgement_body": settings.acknowledgementBody,
                "business_footer": settings.businessFooter,
            ]
            if !keepPassword {
                var credentials = row.credentials ?? [:]
                credentials["password"] = try settings.password.isEmpty ? nil : secrets.seal(settings.password, context: Self.passwordContext)
                row.credentials = credentials
            } else if row.credentials == nil, !settings.password.isEmpty {
                // The environment's password, kept when the form first takes over.
                row.credentials = ["password": try secrets.seal(settings.password, context: Self.passwordContext)]
            }
            try await row.save(on: tx)
        }
    }

    /// The outcome of Send test email, shown on the page.
    func recordTest(success: Bool, message: String, at date: Date) async throws {
        try await database.writeTransaction { tx in
            let row = try await IntegrationSetting.query(on: tx).filter(\.$provider == Self.provider).first()
                ?? IntegrationSetting(provider: Self.provider)
            row.lastTestedAt = date
            row.lastTestSuccess = success
            row.lastTestMessage = String(message.prefix(500))
            try await row.save(on: tx)
        }
    }

    func row() async throws -> IntegrationSetting? {
        try await IntegrationSetting.query(on: database).filter(\.$provider == Self.provider).first()
    }
}
