import Foundation

/// Exponential backoff with full jitter: the n-th retry waits a random time between zero
/// and min(cap, base × 2^(n-1)), so retries from many jobs spread out instead of arriving
/// together.
struct Backoff: Sendable {
    var base: TimeInterval
    var cap: TimeInterval
    /// Picks a number in the range; tests pass a fixed one.
    var random: @Sendable (ClosedRange<Double>) -> Double = { Double.random(in: $0) }

    /// The ceiling of the wait after `attempt` tries (attempt ≥ 1).
    func ceiling(afterAttempt attempt: Int) -> TimeInterval {
        let exponent = Double(max(0, attempt - 1))
        return min(cap, base * pow(2, min(exponent, 62)))
    }

    func delay(afterAttempt attempt: Int) -> TimeInterval {
        random(0...ceiling(afterAttempt: attempt))
    }
}
