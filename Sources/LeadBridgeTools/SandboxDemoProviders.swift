import Foundation
import LeadBridge
import ProviderSandbox

/// The demo's providers: the in-process sandboxes, switched and fed as the demo's story needs.
struct SandboxDemoProviders: DemoProviders {
    let server: SandboxServer

    var userNumber: String { RingCentralSandbox.directNumber }

    func refuseSuiteDashContacts(_ message: String?) {
        var switches = server.suiteDash.switches
        switches.validationMessage = message
        server.suiteDash.switches = switches
    }

    func suiteDashOutage(_ on: Bool) {
        var switches = server.suiteDash.switches
        switches.outage = on
        server.suiteDash.switches = switches
    }

    func addCall(_ call: DemoCall) {
        server.ringCentral.addCallLogRecord(
            direction: call.inbound ? "Inbound" : "Outbound",
            from: call.inbound ? call.leadPhone : userNumber, to: call.inbound ? userNumber : call.leadPhone,
            startTime: call.start, duration: call.seconds, result: call.result,
            action: call.inbound ? "Phone Call" : "RingOut Web")
    }

    func textArrives(from: String, text: String) async throws {
        try await server.ringCentral.simulateInboundSMS(from: from, to: userNumber, text: text)
    }
}
