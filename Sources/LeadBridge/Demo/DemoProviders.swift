import Foundation

/// What `leadbridge demo` needs from the provider stand-ins it runs beside the app. The
/// sandboxes live in the tools target (the server's own code never contains fakes); the demo's
/// seeding, which is the server's code, asks for these few things through this protocol.
public protocol DemoProviders: Sendable {
    /// The number RingCentral knows as the user's own: calls come from it, texts arrive at it.
    var userNumber: String { get }
    /// While set, SuiteDash refuses every contact it is sent with this validation message (422).
    func refuseSuiteDashContacts(_ message: String?)
    /// While on, SuiteDash answers 503 to everything.
    func suiteDashOutage(_ on: Bool)
    /// A call in RingCentral's call log (the demo's earlier month), for the call-log sync to fetch.
    func addCall(_ call: DemoCall)
    /// A text from `from` reaches the user now: RingCentral stores it and notifies the webhook.
    func textArrives(from: String, text: String) async throws
}

public struct DemoCall: Sendable {
    public let inbound: Bool
    /// The lead's number (E.164).
    public let leadPhone: String
    public let start: Date
    public let seconds: Int
    /// RingCentral's call-log `result`: "Call connected", "Missed", "No Answer", "Voicemail"…
    public let result: String
}
