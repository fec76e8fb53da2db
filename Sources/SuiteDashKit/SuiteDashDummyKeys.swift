import Foundation

/// The key pair SuiteDash's own API reference offers for trying it out: reads marked "dummy
/// request allowed" (`GET /contact/meta`, `GET /contacts`, `GET /contact/{id}`) answer with
/// sample data, but nothing can be created or changed. A connection test that only reads would
/// pass with them while every sync failed, so LeadBridge refuses them by name.
/// Source: SuiteDash's swagger (`https://app.suitedash.com/secure-api/swagger/json-file`), as
/// rendered in public notes ("Test / Dummy Credentials").
public enum SuiteDashDummyKeys {
    public static let publicID = "00000000-0000-0000-0000-000000000000"
    public static let secretKey = "DummySecretKey"

    public static func matches(publicID: String, secretKey: String) -> Bool {
        publicID.trimmingCharacters(in: .whitespaces) == Self.publicID || secretKey.trimmingCharacters(in: .whitespaces) == Self.secretKey
    }
}
