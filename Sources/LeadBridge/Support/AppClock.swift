import Foundation

/// Where the app reads the time whenever the time decides what happens (a session's expiry,
/// a job coming due, a sign-in lock running out, an export's stamp). The system clock in
/// production; tests pass a clock they move by hand, so no test sleeps to cross a boundary.
public struct AppClock: Sendable {
    public let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) { self.now = now }

    public static let system = AppClock { Date() }
}
