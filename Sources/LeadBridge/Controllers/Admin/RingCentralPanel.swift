import Fluent
import Foundation
import Vapor

/// What the enquiry page needs to offer Call and Send SMS.
struct RingCentralPanel: Encodable {
    struct Number: Encodable { let phoneNumber: String, label: String }
    let connected: Bool
    let needsReconnect: Bool
    let officePhone: String
    let smsNumbers: [Number]
    let ringOutID: String?
    let ringOutStatus: String?
    let ringOutFinal: Bool
    let maxSMS: Int

    static func load(_ req: Request, ringOutID: String?, enquiryID: Int) async throws -> RingCentralPanel {
        let ringCentral = req.services.ringCentral
        // An unreadable RingCentral setting (say, after an APP_KEY change) must not break the enquiry page.
        guard let configuration = try? await ringCentral.settings.load() else {
            return RingCentralPanel(connected: false, needsReconnect: false, officePhone: "", smsNumbers: [], ringOutID: nil,
                                    ringOutStatus: nil, ringOutFinal: true, maxSMS: RingCentralMessaging.maxSMSLength)
        }
        let connected = try await RingCentralTokenRecord.isConnected(on: req.db)
        let snapshot = try await RingCentralAccountRecord.query(on: req.db).first()?.primaryExtension
        let user = try req.auth.require(User.self)
        var status: String?
        var final = true
        if let ringOutID, connected, configuration.reauthorizationReason == nil {
            if let ringOut = try? await req.services.ringCentral.phone.ringOutStatus(id: ringOutID, enquiryID: enquiryID) {
                status = RingOutStatusText.describe(ringOut)
                final = ringOut.isFinal
            } else {
                status = "Status unavailable"
            }
        }
        return RingCentralPanel(
            connected: connected, needsReconnect: configuration.reauthorizationReason != nil,
            officePhone: RingCentralMessaging.officePhone(given: nil, user: user, configuration: configuration, extension: snapshot) ?? "",
            smsNumbers: (snapshot?.phoneNumbers ?? []).filter(\.canSendSMS).map {
                Number(phoneNumber: $0.phoneNumber, label: $0.phoneNumber + ($0.usageType.map { " (\($0))" } ?? ""))
            },
            ringOutID: ringOutID, ringOutStatus: status, ringOutFinal: final, maxSMS: RingCentralMessaging.maxSMSLength)
    }
}
