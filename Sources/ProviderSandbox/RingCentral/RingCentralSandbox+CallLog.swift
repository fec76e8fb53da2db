import Foundation
import Vapor

/// The user's call log (and the company's, `GET /account/~/call-log`, which adds colleagues'
/// calls; it needs the FullCompanyCallLog user permission): `dateFrom` (default: `dateTo` minus 24 h), `dateTo` (default: now),
/// `direction`, `type`, `view`, `page` (1-based) and `perPage` (default 100; above 1000 is cut
/// to 1000 and `max` means 1000, as the spec says), newest first. Records stay sorted by start
/// time so a range is two binary searches, and only one page is turned into JSON: fast enough
/// for hundreds of thousands of generated records.
extension RingCentralSandbox {
    func registerCallLog(on routes: any RoutesBuilder) {
        routes.get("restapi", "v1.0", "account", ":accountId", "extension", ":extensionId", "call-log") { req in
            try await self.handle(req, "GET /restapi/v1.0/account/~/extension/~/call-log", group: "Heavy") { self.readCallLog($0, company: false) }
        }
        routes.get("restapi", "v1.0", "account", ":accountId", "call-log") { req in
            try await self.handle(req, "GET /restapi/v1.0/account/~/call-log", group: "Heavy") { self.readCallLog($0, company: true) }
        }
    }

    // MARK: Public controls

    /// Replaces the history with `count` deterministic records, the newest at `endingAt`, each
    /// `spacing` seconds before the next. The other party cycles through `phoneNumbers` when given.
    public func generateCallLog(count: Int, endingAt: Date = Date(), spacing: TimeInterval = 60, phoneNumbers: [String] = []) {
        var records: [CallRecord] = []
        records.reserveCapacity(max(0, count))
        for k in stride(from: max(0, count) - 1, through: 0, by: -1) {  // oldest first
            let sequence = count - k
            let other = phoneNumbers.isEmpty ? String(format: "+1415555%04d", k % 10_000) : phoneNumbers[k % phoneNumbers.count]
            let ours = k % 4 == 3 ? Self.secondDirectNumber : Self.directNumber
            let outbound = k % 3 == 0
            let result: String
            if outbound { result = k % 11 == 3 ? "No Answer" : "Call connected" } else if k % 5 == 1 { result = "Missed" } else if k % 7 == 2 {
                result = "Voicemail"
            } else { result = "Accepted" }
            let answered = result == "Accepted" || result == "Call connected"
            records.append(CallRecord(
                id: Self.callID(sequence), sessionID: String(20_000_000_000 + sequence), telephonySessionID: "s-a0d7" + String(sequence, radix: 16),
                startTime: endingAt.addingTimeInterval(-Double(k) * spacing), duration: answered ? 30 + (k * 37) % 600 : (result == "Voicemail" ? 25 : 0),
                direction: outbound ? "Outbound" : "Inbound", action: outbound ? (k % 2 == 0 ? "RingOut Web" : "VoIP Call") : "Phone Call",
                result: result, from: outbound ? ours : other, fromName: outbound ? Self.userName : nil,
                to: outbound ? other : ours, toName: outbound ? nil : Self.userName,
                recordingID: answered && k % 4 == 0 ? String(90_000_000 + sequence) : nil))
        }
        state.withLockedValue { state in
            state.callLog = records
            state.nextCallSequence = count + 1
        }
    }

    /// Adds one call (an inbound or outbound call that just ended, or any past call) and returns it.
    @discardableResult
    public func addCallLogRecord(direction: String = "Inbound", from: String, to: String, startTime: Date = Date(),
                                 duration: Int = 0, result: String = "Missed", action: String? = nil) -> CallRecord {
        let inbound = direction == "Inbound"
        let record = CallRecord(id: "", sessionID: "", telephonySessionID: "", startTime: startTime, duration: duration,
                                direction: direction, action: action ?? (inbound ? "Phone Call" : "VoIP Call"), result: result,
                                from: from, fromName: inbound ? nil : Self.userName, to: to, toName: inbound ? Self.userName : nil,
                                recordingID: nil)
        return state.withLockedValue { $0.insert(callRecord: record) }
    }

    /// A call to a colleague (a missed one by default): in the company log, not the user's.
    @discardableResult
    public func addColleagueCallLogRecord(from: String, to: String = RingCentralSandbox.colleagueNumber, startTime: Date = Date(),
                                          duration: Int = 0, result: String = "Missed") -> CallRecord {
        let record = CallRecord(id: "", sessionID: "", telephonySessionID: "", startTime: startTime, duration: duration,
                                direction: "Inbound", action: "Phone Call", result: result, from: from, fromName: nil,
                                to: to, toName: Self.colleagueName, recordingID: nil, extensionID: Self.colleagueExtensionID)
        return state.withLockedValue { $0.insert(callRecord: record) }
    }

    static func callID(_ sequence: Int) -> String {
        // RingCentral's ids are opaque base64-ish strings; these are too, and stable.
        Data("rc-sandbox-call-\(sequence)".utf8).base64URLEncoded()
    }

    // MARK: The endpoint

    private func readCallLog(_ req: Request, company: Bool) -> Response {
        let now = Date()
        var dateTo = now
        if let text = req.query[String.self, at: "dateTo"] {
            guard let date = Self.parseDate(text) else { return Self.invalid("dateTo", text) }
            dateTo = date
        }
        var dateFrom = dateTo.addingTimeInterval(-86_400)
        if let text = req.query[String.self, at: "dateFrom"] {
            guard let date = Self.parseDate(text) else { return Self.invalid("dateFrom", text) }
            dateFrom = date
        }
        var perPage = 100
        if let text = req.query[String.self, at: "perPage"] {
            if text == "max" { perPage = 1000 } else {
                guard let value = Int(text), value >= 1 else { return Self.invalid("perPage", text) }
                perPage = min(value, 1000)
            }
        }
        var page = 1
        if let text = req.query[String.self, at: "page"] {
            guard let value = Int(text), value >= 1 else { return Self.invalid("page", text) }
            page = value
        }
        let view = req.query[String.self, at: "view"] ?? "Simple"
        guard ["Simple", "Detailed"].contains(view) else { return Self.invalid("view", view) }
        let directions = Set(Self.values(req, "direction"))
        for direction in directions where !["Inbound", "Outbound"].contains(direction) { return Self.invalid("direction", direction) }
        let types = Set(Self.values(req, "type"))
        for type in types where !["Voice", "Fax"].contains(type) { return Self.invalid("type", type) }

        let (slice, total) = state.withLockedValue { state -> ([CallRecord], Int) in
            state.settle(now: now)
            let log = company ? state.companyCallLog : state.callLog
            let lower = log.partitionIndex { $0.startTime >= dateFrom }
            let upper = log.partitionIndex { $0.startTime > dateTo }
            guard lower < upper else { return ([], 0) }
            let skip = (page - 1) * perPage
            if directions.isEmpty, types.isEmpty || types.contains("Voice") {
                // Newest first: page 1 ends at `upper`.
                let total = upper - lower
                let end = upper - min(skip, total)
                let start = max(lower, end - perPage)
                return (Array(log[start..<end].reversed()), total)
            }
            var matching: [CallRecord] = []
            var total = 0
            for index in stride(from: upper - 1, through: lower, by: -1) {
                let record = log[index]
                guard directions.isEmpty || directions.contains(record.direction), types.isEmpty || types.contains("Voice") else { continue }
                if total >= skip, matching.count < perPage { matching.append(record) }
                total += 1
            }
            return (matching, total)
        }
        let origin = Self.origin(req)
        let records = slice.map { Self.json($0, origin: origin, detailed: view == "Detailed") }
        return Self.json(.ok, Self.list(req, origin: origin, path: (company ? Self.accountPath : Self.extensionPath) + "/call-log", records: records, page: page,
                                        perPage: perPage, total: total))
    }

    /// A query parameter that may repeat (`direction=Inbound&direction=Outbound`) or be comma separated.
    static func values(_ req: Request, _ name: String) -> [String] {
        let items = URLComponents(string: req.url.string)?.queryItems ?? []
        return items.filter { $0.name == name }.flatMap { ($0.value ?? "").split(separator: ",").map(String.init) }
    }

    static func json(_ record: CallRecord, origin: String, detailed: Bool) -> [String: Any] {
        func party(_ number: String, _ name: String?) -> [String: Any] {
            var party: [String: Any] = ["phoneNumber": number]
            if let name { party["name"] = name }
            if number == directNumber || number == secondDirectNumber { party["extensionId"] = extensionID }
            if number == colleagueNumber { party["extensionId"] = colleagueExtensionID }
            return party
        }
        var object: [String: Any] = [
            "uri": origin + accountPath + "/extension/\(record.extensionID)/call-log/\(record.id)?view=\(detailed ? "Detailed" : "Simple")",
            "id": record.id,
            "sessionId": record.sessionID,
            "telephonySessionId": record.telephonySessionID,
            "startTime": timestamp(record.startTime),
            "duration": record.duration,
            "durationMs": record.duration * 1000,
            "type": "Voice",
            "internalType": "Usual",
            "direction": record.direction,
            "action": record.action,
            "result": record.result,
            "from": party(record.from, record.fromName),
            "to": party(record.to, record.toName),
            "extension": ["uri": origin + accountPath + "/extension/\(record.extensionID)", "id": Int(record.extensionID) ?? 0],
        ]
        if let recording = record.recordingID {
            object["recording"] = ["id": recording, "uri": origin + accountPath + "/recording/\(recording)", "type": "Automatic",
                                   "contentUri": origin + accountPath + "/recording/\(recording)/content"]
        }
        if detailed {
            object["transport"] = "PSTN"
            object["lastModifiedTime"] = timestamp(record.startTime.addingTimeInterval(Double(record.duration)))
            object["billing"] = ["costIncluded": 0.0, "costPurchased": 0.0]
            var leg = object
            for key in ["uri", "id", "sessionId", "lastModifiedTime"] { leg[key] = nil }
            leg["legType"] = record.direction == "Inbound" ? "Accept" : record.action == "RingOut Web" ? "RingOutWebToCaller" : "SipToPstnMetered"
            leg["master"] = true
            object["legs"] = [leg]
        }
        return object
    }
}

extension RingCentralSandbox.State {
    /// Inserts keeping start-time order, filling in the ids; returns the stored record.
    @discardableResult
    mutating func insert(callRecord: RingCentralSandbox.CallRecord) -> RingCentralSandbox.CallRecord {
        var record = callRecord
        let sequence = nextCallSequence
        nextCallSequence += 1
        if record.id.isEmpty { record.id = RingCentralSandbox.callID(sequence) }
        if record.sessionID.isEmpty { record.sessionID = String(20_000_000_000 + sequence) }
        if record.telephonySessionID.isEmpty { record.telephonySessionID = "s-a0d7" + String(sequence, radix: 16) }
        if record.extensionID == RingCentralSandbox.extensionID {
            callLog.insert(record, at: callLog.partitionIndex { $0.startTime > record.startTime })
        } else {
            colleagueCallLog.insert(record, at: colleagueCallLog.partitionIndex { $0.startTime > record.startTime })
        }
        return record
    }

    /// The user's and colleagues' calls in start-time order (merged on each read: colleagues'
    /// calls are few next to a generated history, and the common case has none).
    var companyCallLog: [RingCentralSandbox.CallRecord] {
        guard !colleagueCallLog.isEmpty else { return callLog }
        var merged: [RingCentralSandbox.CallRecord] = []
        merged.reserveCapacity(callLog.count + colleagueCallLog.count)
        var i = 0, j = 0
        while i < callLog.count || j < colleagueCallLog.count {
            if j == colleagueCallLog.count || (i < callLog.count && callLog[i].startTime <= colleagueCallLog[j].startTime) {
                merged.append(callLog[i]); i += 1
            } else {
                merged.append(colleagueCallLog[j]); j += 1
            }
        }
        return merged
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is false then true along the array.
    func partitionIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
