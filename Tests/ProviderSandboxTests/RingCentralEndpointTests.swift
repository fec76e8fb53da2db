import Foundation
import ProviderSandbox
import Testing

@Suite("RingCentral sandbox: endpoints")
struct RingCentralEndpointTests {
    @Test("account, extension and phone numbers (with paging, numeric ids in place of ~)")
    func accountData() async throws {
        try await withSandbox { server in
            let tokens = try await connect(server)
            let account = try await send(.GET, server.baseURL + "/restapi/v1.0/account/~", headers: [tokens.bearer]).json
            #expect(account["id"] as? Int == 401_234_567_890)
            #expect(account["mainNumber"] as? String == "+16505550100")
            #expect(account["status"] as? String == "Confirmed")
            let ext = try await send(.GET, server.baseURL + "/restapi/v1.0/account/401234567890/extension/401234567891", headers: [tokens.bearer]).json
            #expect(ext["extensionNumber"] as? String == "101")
            #expect(ext["status"] as? String == "Enabled")
            #expect((ext["contact"] as? [String: Any])?["email"] as? String == "alex.morgan@example.com")
            let other = try await send(.GET, server.baseURL + "/restapi/v1.0/account/999/extension/~", headers: [tokens.bearer])
            #expect(other.status == 404)
            #expect(other.errorCode == "CMN-102")

            let numbers = try await send(.GET, server.baseURL + "/restapi/v1.0/account/~/extension/~/phone-number", headers: [tokens.bearer]).json
            let records = try #require(numbers["records"] as? [[String: Any]])
            #expect(records.count == 4)
            let features = Dictionary(uniqueKeysWithValues: records.map { ($0["phoneNumber"] as! String, $0["features"] as! [String]) })
            #expect(features["+16505550100"] == ["CallerId"])
            #expect(features["+16505550101"] == ["SmsSender", "CallerId", "A2PSmsSender", "MmsSender"])
            #expect(features["+16505550102"] == ["CallerId", "SmsSender"])
            #expect(features["+16505550109"] == [])
            let page2 = try await send(.GET, server.baseURL + "/restapi/v1.0/account/~/extension/~/phone-number?perPage=3&page=2",
                                       headers: [tokens.bearer]).json
            #expect((page2["records"] as? [Any])?.count == 1)
            #expect((page2["paging"] as? [String: Any])?["totalPages"] as? Int == 2)
            #expect((page2["navigation"] as? [String: Any])?["nextPage"] == nil)
            #expect((page2["navigation"] as? [String: Any])?["previousPage"] != nil)
        }
    }

    @Test("RingOut: validation, status progression, special numbers, cancel, call log")
    func ringOut() async throws {
        try await withSandbox { $0.ringOutStepSeconds = 0.4 } run: { server in
            let tokens = try await connect(server)
            let url = server.baseURL + "/restapi/v1.0/account/~/extension/~/ring-out"
            func place(_ to: String, callerId: String? = nil) async throws -> Answer {
                var body: [String: Any] = ["from": ["phoneNumber": "+16505559876"], "to": ["phoneNumber": to], "playPrompt": false]
                if let callerId { body["callerId"] = ["phoneNumber": callerId] }
                return try await send(.POST, url, headers: [tokens.bearer, jsonType], body: jsonBody(body))
            }
            let bad = try await place("5551234")
            #expect(bad.status == 400)
            #expect(bad.errorCode == "CMN-101")
            #expect((bad.json["errors"] as? [[String: Any]])?.first?["parameterName"] as? String == "to.phoneNumber")
            let fax = try await place("+14155550123", callerId: "+16505550109")
            #expect(fax.status == 400)
            #expect((fax.json["errors"] as? [[String: Any]])?.first?["parameterName"] as? String == "callerId.phoneNumber")

            let (placed, placedWindow) = try await timed { try await place("+14155550123", callerId: "+16505550100") }
            #expect(placed.status == 200)
            #expect(placed.header("X-Rate-Limit-Group") == "heavy")
            let id = try #require(placed.json["id"] as? String)
            #expect(placed.json["status"] as? [String: String] == ["callStatus": "InProgress", "callerStatus": "InProgress", "calleeStatus": "InProgress"])
            let noAnswer = try #require(try await place("+14155550000").json["id"] as? String)
            let busy = try #require(try await place("+14155551111").json["id"] as? String)
            let cancelled = try #require(try await place("+14155552345").json["id"] as? String)
            #expect(try await send(.DELETE, url + "/" + cancelled, headers: [tokens.bearer]).status == 204)
            #expect(try await send(.GET, url + "/" + cancelled, headers: [tokens.bearer]).errorCode == "CMN-102")

            // Steps of 0.4 s: caller answered from 0.4 s, final from 0.8 s.
            try await Task.sleep(for: .milliseconds(500))
            let (middle, middleWindow) = try await timed { try await send(.GET, url + "/" + id, headers: [tokens.bearer]) }
            #expect(middle.header("X-Rate-Limit-Group") == "light")
            if certainly(middleWindow, after: placedWindow, atLeast: 0.4, below: 0.8) {
                #expect(middle.json["status"] as? [String: String] == ["callStatus": "InProgress", "callerStatus": "Success", "calleeStatus": "InProgress"])
            }
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await send(.GET, url + "/" + id, headers: [tokens.bearer]).json["status"] as? [String: String]
                == ["callStatus": "Success", "callerStatus": "Success", "calleeStatus": "Success"])
            #expect((try await send(.GET, url + "/" + noAnswer, headers: [tokens.bearer]).json["status"] as? [String: String])?["calleeStatus"] == "NoAnswer")
            #expect((try await send(.GET, url + "/" + busy, headers: [tokens.bearer]).json["status"] as? [String: String])?["calleeStatus"] == "Busy")

            let log = server.ringCentral.callLog
            #expect(log.filter { $0.to != "+14155552345" }.count == 3)  // the cancelled one is logged only if it had already ended
            #expect(log.allSatisfy { $0.direction == "Outbound" && $0.action == "RingOut Web" })
            #expect(Set(log.map(\.result)) == ["Call connected", "No Answer", "Busy"])
            #expect(server.ringCentral.ringOuts.filter(\.cancelled).count == 1)
        }
    }

    @Test("SMS: sender capability, text length, Queued → Sent → Delivered, DeliveryFailed for 9999")
    func sms() async throws {
        try await withSandbox { $0.smsStepSeconds = 0.3 } run: { server in
            let tokens = try await connect(server)
            let url = server.baseURL + "/restapi/v1.0/account/~/extension/~/sms"
            func sendSMS(_ from: String, _ to: String, _ text: String) async throws -> Answer {
                try await send(.POST, url, headers: [tokens.bearer, jsonType],
                               body: jsonBody(["from": ["phoneNumber": from], "to": [["phoneNumber": to]], "text": text]))
            }
            let noCapability = try await sendSMS("+16505550100", "+14155550123", "Hi")
            #expect(noCapability.status == 400)
            #expect(noCapability.errorCode == "MSG-304")
            let tooLong = try await sendSMS("+16505550101", "+14155550123", String(repeating: "x", count: 1001))
            #expect((tooLong.json["errors"] as? [[String: Any]])?.first?["parameterName"] as? String == "text")
            // The spec counts UTF-16 units: an emoji is two, so 500 of them fill the text and one more character is too many.
            let emoji = try await sendSMS("+16505550101", "+14155550123", String(repeating: "😀", count: 500) + "!")
            #expect(emoji.status == 400)
            #expect(emoji.errorCode == "CMN-101")
            #expect(try await sendSMS("+16505550101", "+14155550123", String(repeating: "😀", count: 500)).status == 200)
            #expect(try await sendSMS("+16505550101", "+14155550123", "").status == 400)

            let (sent, sentWindow) = try await timed { try await sendSMS("+16505550101", "+14155550123", "Your estimate is ready") }
            #expect(sent.status == 200)
            #expect(sent.header("X-Rate-Limit-Group") == "medium")
            #expect(sent.json["messageStatus"] as? String == "Queued")
            #expect(sent.json["direction"] as? String == "Outbound")
            #expect(sent.json["type"] as? String == "SMS")
            #expect(sent.json["subject"] as? String == "Your estimate is ready")
            let id = try #require(sent.json["id"] as? Int)
            let failing = try #require(try await sendSMS("+16505550102", "+14155559999", "x").json["id"] as? Int)
            let store = server.baseURL + "/restapi/v1.0/account/~/extension/~/message-store/"
            // Steps of 0.3 s: Sent from 0.3 s, Delivered from 0.6 s.
            try await Task.sleep(for: .milliseconds(400))
            let (middle, middleWindow) = try await timed { try await send(.GET, store + String(id), headers: [tokens.bearer]) }
            if certainly(middleWindow, after: sentWindow, atLeast: 0.3, below: 0.6) {
                #expect(middle.json["messageStatus"] as? String == "Sent")
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await send(.GET, store + String(id), headers: [tokens.bearer]).json["messageStatus"] as? String == "Delivered")
            #expect(try await send(.GET, store + String(failing), headers: [tokens.bearer]).json["messageStatus"] as? String == "DeliveryFailed")
            #expect(try await send(.GET, store + "123", headers: [tokens.bearer]).status == 404)
        }
    }

    @Test("call log: 2,500 records, newest first, paging and absolute navigation links with the query kept")
    func callLogPaging() async throws {
        try await withSandbox { $0.limits["Heavy"] = 100 } run: { server in
            let tokens = try await connect(server)
            let end = Date(timeIntervalSince1970: 1_750_000_000)
            server.ringCentral.generateCallLog(count: 2500, endingAt: end, spacing: 30, phoneNumbers: ["+14155550001", "+14155550002"])
            let dateFrom = "2025-06-14T00:00:00.000Z", dateTo = "2025-06-15T23:59:59.000Z"
            var url: String? = server.baseURL + "/restapi/v1.0/account/~/extension/~/call-log?dateFrom=\(dateFrom)&dateTo=\(dateTo)&perPage=1000&view=Simple"
            var ids: [String] = []
            var starts: [String] = []
            var pages = 0
            while let next = url {
                let answer = try await send(.GET, next, headers: [tokens.bearer])
                #expect(answer.status == 200)
                let records = answer.json["records"] as? [[String: Any]] ?? []
                ids += records.map { $0["id"] as! String }
                starts += records.map { $0["startTime"] as! String }
                let paging = try #require(answer.json["paging"] as? [String: Any])
                #expect(paging["totalElements"] as? Int == 2500)
                #expect(paging["totalPages"] as? Int == 3)
                #expect(paging["perPage"] as? Int == 1000)
                let navigation = try #require(answer.json["navigation"] as? [String: Any])
                url = (navigation["nextPage"] as? [String: String])?["uri"]
                if let url {
                    #expect(url.hasPrefix(server.baseURL + "/restapi/v1.0/account/"))
                    #expect(url.contains("dateFrom=") && url.contains("perPage=1000") && url.contains("view=Simple"))
                }
                pages += 1
            }
            #expect(pages == 3)
            #expect(ids.count == 2500)
            #expect(Set(ids).count == 2500)
            #expect(starts == starts.sorted(by: >))
            #expect(starts.first == "2025-06-15T15:06:40.000Z")

            // Default range is the last 24 h; perPage above 1000 is cut to 1000.
            server.ringCentral.generateCallLog(count: 3000, spacing: 60)
            let recent = try await send(.GET, server.baseURL + "/restapi/v1.0/account/~/extension/~/call-log?perPage=5000", headers: [tokens.bearer]).json
            #expect((recent["paging"] as? [String: Any])?["perPage"] as? Int == 1000)
            let total = (recent["paging"] as? [String: Any])?["totalElements"] as? Int ?? 0
            #expect(total >= 1439 && total <= 1441)
            let inbound = try await send(.GET, server.baseURL + "/restapi/v1.0/account/~/extension/~/call-log?direction=Inbound&perPage=10",
                                         headers: [tokens.bearer]).json
            #expect((inbound["records"] as? [[String: Any]])?.allSatisfy { $0["direction"] as? String == "Inbound" } == true)
        }
    }

    @Test("a page of a 100,000-record call log is answered without a pathological scan")
    func callLogScale() async throws {
        try await withSandbox { $0.limits["Heavy"] = 100 } run: { server in
            let tokens = try await connect(server)
            server.ringCentral.generateCallLog(count: 100_000, spacing: 1)
            let started = Date()
            let answer = try await send(.GET, server.baseURL + "/restapi/v1.0/account/~/extension/~/call-log?perPage=1000&page=50",
                                        headers: [tokens.bearer])
            #expect(answer.status == 200)
            #expect((answer.json["records"] as? [Any])?.count == 1000)
            let total = (answer.json["paging"] as? [String: Any])?["totalElements"] as? Int ?? 0
            #expect((86_000...86_401).contains(total))  // the last 24 h of one-second spacing, less the time the request took
            // Not a speed test (CI runs the suites in parallel, on PostgreSQL too, and a loaded
            // machine took 5.2 s): a bound no linear-time page can miss and a quadratic one
            // (10^10 steps at 100,000 records) cannot meet.
            #expect(Date().timeIntervalSince(started) < 30)
        }
    }
}

@Suite("RingCentral sandbox: permissions")
struct RingCentralPermissionTests {
    @Test("an app without ReadCallLog gets 403 CMN-401; a user whose role lacks FullCompanyCallLog gets 403 CMN-408 naming it")
    func missingPermissions() async throws {
        try await withSandbox { $0.appPermissions.removeAll { $0 == "ReadCallLog" } } run: { server in
            let tokens = try await connect(server)
            let log = try await send(.GET, server.baseURL + "/restapi/v1.0/account/~/extension/~/call-log", headers: [tokens.bearer])
            #expect(log.status == 403)
            #expect(log.errorCode == "CMN-401")
            #expect(log.text.contains("application needs to have [ReadCallLog] permission"))
            // What the app has still works.
            #expect(try await send(.GET, server.baseURL + "/restapi/v1.0/account/~", headers: [tokens.bearer]).status == 200)
        }
        try await withSandbox { $0.userPermissions.removeAll { $0 == "FullCompanyCallLog" } } run: { server in
            let tokens = try await connect(server)
            let company = try await send(.GET, server.baseURL + "/restapi/v1.0/account/~/call-log", headers: [tokens.bearer])
            #expect(company.status == 403)
            #expect(company.errorCode == "CMN-408")
            #expect(company.json["permissionName"] as? String == "FullCompanyCallLog")
            #expect((company.json["errors"] as? [[String: Any]])?.first?["permissionName"] as? String == "FullCompanyCallLog")
            #expect(try await send(.GET, server.baseURL + "/restapi/v1.0/account/~/extension/~/call-log", headers: [tokens.bearer]).status == 200)
        }
    }

    @Test("a colleague's call is in the company log, not the user's")
    func companyLog() async throws {
        try await withSandbox { server in
            let tokens = try await connect(server)
            server.ringCentral.addCallLogRecord(from: "+14155550101", to: RingCentralSandbox.directNumber)
            server.ringCentral.addColleagueCallLogRecord(from: "+14155550102")
            let mine = try await send(.GET, server.baseURL + "/restapi/v1.0/account/~/extension/~/call-log", headers: [tokens.bearer]).json
            let company = try await send(.GET, server.baseURL + "/restapi/v1.0/account/~/call-log", headers: [tokens.bearer]).json
            let callers = { (page: [String: Any]) in
                ((page["records"] as? [[String: Any]]) ?? []).compactMap { ($0["from"] as? [String: Any])?["phoneNumber"] as? String }
            }
            #expect(callers(mine) == ["+14155550101"])
            #expect(Set(callers(company)) == ["+14155550101", "+14155550102"])
            let colleague = ((company["records"] as? [[String: Any]]) ?? []).first { ($0["from"] as? [String: Any])?["phoneNumber"] as? String == "+14155550102" }
            #expect((colleague?["extension"] as? [String: Any])?["id"] as? Int == Int(RingCentralSandbox.colleagueExtensionID))
        }
    }
}
