import Fluent
import Foundation
import Vapor

/// An administrator of this LeadBridge installation.
final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @Field(key: "email") var email: String
    @OptionalField(key: "name") var name: String?
    @Field(key: "password_hash") var passwordHash: String
    /// Wrong passwords since the last good sign-in (shown to admins; the throttle counts in `rate_counters`).
    @Field(key: "failed_login_attempts") var failedLoginAttempts: Int
    // `locked_until` is no longer used (sign-in limits live in `rate_counters`); the column
    // stays so an older release can still roll back onto this database.
    @OptionalField(key: "last_login_at") var lastLoginAt: Date?
    /// Set when an admin disabled this account: it cannot sign in, and its sessions ended.
    @OptionalField(key: "disabled_at") var disabledAt: Date?
    /// The phone RingCentral rings first when this admin clicks Call (E.164).
    @OptionalField(key: "office_phone") var officePhone: String?
    /// Known-browser cookies count only when issued in this generation (`KnownDevice`); a
    /// password reset and "sign out everywhere" start the next one.
    @Field(key: "known_device_generation") var knownDeviceGeneration: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(email: String, name: String?, passwordHash: String) {
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.failedLoginAttempts = 0
        self.knownDeviceGeneration = 0
    }
}

extension User {
    var isActive: Bool { disabledAt == nil }
}

extension User: ModelSessionAuthenticatable {}
