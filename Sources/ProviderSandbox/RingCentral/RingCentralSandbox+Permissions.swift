import Vapor

/// Which permission each endpoint needs, and RingCentral's answer when it is missing.
///
/// The pairs are the OpenAPI spec's `x-app-permission` and `x-user-permission` for each
/// operation (`RingCentralSpecConformanceTests` compares this table with the spec). An app that
/// was not given the app permission gets 403 `CMN-401` "In order to call this API endpoint,
/// application needs to have [ReadCallLog] permission" (the error table of RingCentral's API
/// reference); a user whose role lacks the user permission gets 403 `CMN-408` "…user needs to
/// have [Meetings] permission for requested resource." with `permissionName` at the top and in
/// `errors[]` (bodies quoted in RingCentral's answers on Stack Overflow, questions 49660367 and
/// 50978630).
extension RingCentralSandbox {
    public struct EndpointPermission: Sendable, Equatable {
        public let app: String?
        public let user: String?
        public init(app: String?, user: String?) {
            self.app = app
            self.user = user
        }
    }

    public static let endpointPermissions: [String: EndpointPermission] = [
        "GET /restapi/v1.0/account/~": .init(app: "ReadAccounts", user: "ReadCompanyInfo"),
        "GET /restapi/v1.0/account/~/extension/~": .init(app: "ReadAccounts", user: "ReadExtensions"),
        "GET /restapi/v1.0/account/~/extension/~/phone-number": .init(app: "ReadAccounts", user: "ReadUserPhoneNumbers"),
        "GET /restapi/v1.0/account/~/extension/~/business-hours": .init(app: "ReadAccounts", user: "ReadExtensions"),
        "POST /restapi/v1.0/account/~/extension/~/ring-out": .init(app: "RingOut", user: nil),
        "GET /restapi/v1.0/account/~/extension/~/ring-out/{id}": .init(app: "RingOut", user: nil),
        "DELETE /restapi/v1.0/account/~/extension/~/ring-out/{id}": .init(app: "RingOut", user: nil),
        "GET /restapi/v1.0/account/~/extension/~/call-log": .init(app: "ReadCallLog", user: "ReadCallLog"),
        "GET /restapi/v1.0/account/~/call-log": .init(app: "ReadCallLog", user: "FullCompanyCallLog"),
        "POST /restapi/v1.0/account/~/extension/~/sms": .init(app: "SMS", user: "OutboundSMS"),
        "GET /restapi/v1.0/account/~/extension/~/message-store/{id}": .init(app: "ReadMessages", user: "ReadMessages"),
    ]

    /// The user permissions the default sandbox user's role has: every one LeadBridge's calls
    /// need, as for an account's Super Admin.
    public static let userPermissions = ["ReadCompanyInfo", "ReadExtensions", "ReadUserPhoneNumbers", "ReadCallLog",
                                         "FullCompanyCallLog", "OutboundSMS", "ReadMessages"]

    /// Nil when the app and the user may call `endpoint`; otherwise RingCentral's 403.
    func permissionRefusal(_ endpoint: String) -> Response? {
        guard let needed = Self.endpointPermissions[endpoint] else { return nil }
        let (app, user) = state.withLockedValue { (Set($0.settings.appPermissions), Set($0.settings.userPermissions)) }
        if let permission = needed.app, !app.contains(permission) {
            return Self.error(.forbidden, "CMN-401", "In order to call this API endpoint, application needs to have [\(permission)] permission")
        }
        if let permission = needed.user, !user.contains(permission) {
            return Self.permissionError("CMN-408", "In order to call this API endpoint, user needs to have [\(permission)] permission for requested resource.",
                                        permission: permission)
        }
        return nil
    }

    private static func permissionError(_ code: String, _ message: String, permission: String) -> Response {
        let item: [String: Any] = ["errorCode": code, "message": message, "permissionName": permission]
        return json(.forbidden, ["errorCode": code, "message": message, "errors": [item], "permissionName": permission])
    }
}
