import Foundation
import Vapor

/// The account, the extension (the one user who connected) and that user's phone numbers, with
/// features that decide what each number may do: only `SmsSender` numbers may send SMS, only
/// `CallerId` numbers may be shown as a RingOut's caller id.
extension RingCentralSandbox {
    struct PhoneNumber {
        var id: Int
        var phoneNumber: String
        var usageType: String
        var type: String
        var features: [String]
        var label: String?
        var primary: Bool
    }

    static let phoneNumbers: [PhoneNumber] = [
        PhoneNumber(id: 401_234_560_001, phoneNumber: mainNumber, usageType: "MainCompanyNumber", type: "VoiceFax",
                    features: ["CallerId"], label: nil, primary: false),
        PhoneNumber(id: 401_234_560_002, phoneNumber: directNumber, usageType: "DirectNumber", type: "VoiceFax",
                    features: ["SmsSender", "CallerId", "A2PSmsSender", "MmsSender"], label: "Office", primary: true),
        PhoneNumber(id: 401_234_560_003, phoneNumber: secondDirectNumber, usageType: "DirectNumber", type: "VoiceOnly",
                    features: ["CallerId", "SmsSender"], label: "Sales line", primary: false),
        PhoneNumber(id: 401_234_560_004, phoneNumber: faxNumber, usageType: "CompanyFaxNumber", type: "FaxOnly",
                    features: [], label: "Fax", primary: false),
    ]

    static func number(_ phoneNumber: String) -> PhoneNumber? { phoneNumbers.first { $0.phoneNumber == phoneNumber } }

    func registerAccount(on routes: any RoutesBuilder) {
        let account = routes.grouped("restapi", "v1.0", "account", ":accountId")
        account.get { req in try await self.handle(req, "GET /restapi/v1.0/account/~", group: "Light") { Self.account($0) } }
        account.get("extension", ":extensionId") { req in
            try await self.handle(req, "GET /restapi/v1.0/account/~/extension/~", group: "Light") { Self.extensionInfo($0) }
        }
        account.get("extension", ":extensionId", "business-hours") { req in
            try await self.handle(req, "GET /restapi/v1.0/account/~/extension/~/business-hours", group: "Light") { self.businessHours($0) }
        }
        account.get("extension", ":extensionId", "phone-number") { req in
            try await self.handle(req, "GET /restapi/v1.0/account/~/extension/~/phone-number", group: "Light") { Self.phoneNumberList($0) }
        }
    }

    private static func account(_ req: Request) -> Response {
        let origin = origin(req)
        return json(.ok, [
            "uri": origin + accountPath,
            "id": Int(accountID)!,
            "mainNumber": mainNumber,
            "status": "Confirmed",
            "setupWizardState": "Completed",
            "signupInfo": ["tosAccepted": true, "signupState": ["AccountCreated", "BillingEntered", "AccountConfirmed"]],
            "serviceInfo": [
                "uri": origin + accountPath + "/service-info",
                "brand": ["id": "1210", "name": "RingCentral", "homeCountry": ["id": "1", "isoCode": "US", "name": "United States"]],
                "servicePlan": ["id": "11111", "name": "RingEX Advanced", "edition": "Standard"],
                "billingPlan": ["id": "22222", "name": "Monthly", "durationUnit": "Month", "duration": 1, "type": "Regular",
                                "includedPhoneLines": 5],
            ],
            "operator": ["uri": origin + extensionPath, "id": Int(extensionID)!, "extensionNumber": extensionNumber],
            "regionalSettings": regionalSettings(origin).merging(
                ["currency": ["id": 1, "code": "USD", "name": "Dollar", "symbol": "$", "minorSymbol": "¢"]]) { $1 },
            "federated": false,
            "limits": ["freeSoftPhoneLinesPerExtension": 1, "meetingSize": 100, "maxMonitoredExtensionsPerUser": 100,
                       "maxExtensionNumberLength": 5, "siteCodeLength": 0, "shortExtensionNumberLength": 3],
        ] as [String: Any])
    }

    /// The spec's `GetUserBusinessHoursResponse`: `uri`, and `schedule.weeklyRanges` (empty for 24/7).
    private func businessHours(_ req: Request) -> Response {
        let weekly: [String: [[String: String]]] = state.withLockedValue { $0.settings.businessHours }
        var schedule: [String: Any] = [:]
        if !weekly.isEmpty { schedule["weeklyRanges"] = weekly }
        let uri: String = Self.origin(req) + Self.extensionPath + "/business-hours"
        let body: [String: Any] = ["uri": uri, "schedule": schedule]
        return Self.json(.ok, body)
    }

    /// The account's and the extension's regional settings (the same US defaults).
    private static func regionalSettings(_ origin: String) -> [String: Any] {
        [
            "homeCountry": ["id": "1", "uri": origin + "/restapi/v1.0/dictionary/country/1", "name": "United States",
                        "isoCode": "US", "callingCode": "1"],
            "timezone": ["id": "58", "uri": origin + "/restapi/v1.0/dictionary/timezone/58", "name": "US/Pacific",
                         "description": "Pacific Time (US & Canada)", "bias": "-480"],
            "language": ["id": "1033", "name": "English (United States)", "localeCode": "en-US"],
            "greetingLanguage": ["id": "1033", "name": "English (United States)", "localeCode": "en-US"],
            "formattingLocale": ["id": "1033", "name": "English (United States)", "localeCode": "en-US"],
            "timeFormat": "12h",
        ]
    }

    private static func extensionInfo(_ req: Request) -> Response {
        let origin = origin(req)
        return json(.ok, [
            "uri": origin + extensionPath,
            "id": Int(extensionID)!,
            "extensionNumber": extensionNumber,
            "name": userName,
            "type": "User",
            "status": "Enabled",
            "contact": ["firstName": "Alex", "lastName": "Morgan", "email": "alex.morgan@example.com",
                        "businessPhone": directNumber, "company": "Morgan Home Services", "emailAsLoginName": true,
                        "pronouncedName": ["type": "Default", "text": userName]],
            "account": ["uri": origin + accountPath, "id": accountID],
            "permissions": ["admin": ["enabled": true], "internationalCalling": ["enabled": false]],
            "profileImage": ["uri": origin + extensionPath + "/profile-image"],
            "regionalSettings": regionalSettings(origin),
            "setupWizardState": "Completed",
            "hidden": false,
            "creationTime": "2024-01-15T17:04:11.000Z",
        ] as [String: Any])
    }

    /// `page` / `perPage` (default 100) paging as RingCentral's lists do it.
    private static func phoneNumberList(_ req: Request) -> Response {
        let origin = origin(req)
        let page = max(1, req.query[Int.self, at: "page"] ?? 1)
        let perPage = min(1000, max(1, req.query[Int.self, at: "perPage"] ?? 100))
        let all = phoneNumbers
        let records: [[String: Any]] = all.dropFirst((page - 1) * perPage).prefix(perPage).map { number in
            var record: [String: Any] = [
                "uri": origin + accountPath + "/phone-number/\(number.id)",
                "id": number.id,
                "phoneNumber": number.phoneNumber,
                "paymentType": "Local",
                "location": "Palo Alto, CA",
                "type": number.type,
                "usageType": number.usageType,
                "status": "Normal",
                "country": ["uri": origin + "/restapi/v1.0/dictionary/country/1", "id": "1", "name": "United States"],
                "features": number.features,
                "primary": number.primary,
            ]
            if let label = number.label { record["label"] = label }
            if number.usageType == "DirectNumber" {
                record["extension"] = ["uri": origin + extensionPath, "id": Int(extensionID)!, "extensionNumber": extensionNumber,
                                       "name": userName, "type": "User"]
            }
            return record
        }
        let path = extensionPath + "/phone-number"
        return json(.ok, list(req, origin: origin, path: path, records: records, page: page, perPage: perPage, total: all.count))
    }

    /// RingCentral's list envelope: `uri`, `records`, `paging`, `navigation` with absolute links
    /// that keep the request's query and change only `page` (no `nextPage` on the last page).
    static func list(_ req: Request, origin: String, path: String, records: [[String: Any]], page: Int, perPage: Int,
                     total: Int) -> [String: Any] {
        let totalPages = max(1, (total + perPage - 1) / perPage)
        var paging: [String: Any] = ["page": page, "totalPages": totalPages, "perPage": perPage, "totalElements": total]
        if !records.isEmpty {
            paging["pageStart"] = (page - 1) * perPage
            paging["pageEnd"] = (page - 1) * perPage + records.count - 1
        }
        var query = URLComponents(string: req.url.string)?.queryItems ?? []
        query.removeAll { $0.name == "page" }
        func link(_ page: Int) -> [String: String] {
            var components = URLComponents()
            components.queryItems = query + [URLQueryItem(name: "page", value: String(page))]
            let encoded = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
            return ["uri": origin + path + "?" + encoded]
        }
        var navigation: [String: Any] = ["firstPage": link(1), "lastPage": link(totalPages)]
        if page < totalPages { navigation["nextPage"] = link(page + 1) }
        if page > 1 { navigation["previousPage"] = link(min(page - 1, totalPages)) }
        return ["uri": link(page)["uri"]!, "records": records, "paging": paging, "navigation": navigation]
    }
}
