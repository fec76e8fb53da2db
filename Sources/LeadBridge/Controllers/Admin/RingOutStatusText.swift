import RingCentralKit

/// A RingOut's legs in words: RingCentral rings the office phone first, then the lead.
enum RingOutStatusText {
    static func describe(_ ringOut: RingCentralRingOut) -> String {
        let call = ringOut.status?.callStatus ?? "InProgress"
        let caller = ringOut.status?.callerStatus ?? "InProgress"
        let callee = ringOut.status?.calleeStatus ?? "InProgress"
        if call == "InProgress" {
            return caller == "Success" ? "Your phone answered; ringing the lead…" : "Ringing your phone…"
        }
        if call == "Success" { return "Connected." }
        if caller != "Success" { return "Your phone did not answer (\(caller))." }
        return "The lead did not answer (\(callee))."
    }
}
