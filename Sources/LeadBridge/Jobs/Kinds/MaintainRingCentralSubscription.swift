import Fluent
import Foundation
import RingCentralKit

/// Hourly: renews the webhook subscription before it expires and recreates a blacklisted one.
struct MaintainRingCentralSubscription: JobKind {
    struct Payload: Codable, Sendable {}
    static let name = "ringcentral.maintain-subscription"
    static let maxAttempts = 5

    let subscriptions: RingCentralSubscriptions
    let clock: AppClock

    func run(_ payload: Payload, context: JobContext) async throws {
        do {
            let outcome = try await subscriptions.maintain(now: clock.now())
            context.logger.info("RingCentral webhook subscription: \(outcome)")
        } catch let error as RingCentralError {
            throw JobFailure.from(error)
        }
    }

    static func recurringTask() -> RecurringTask {
        RecurringTask(name: "ringcentral.subscription", interval: 3600) { queue, db in
            guard let row = try await IntegrationSetting.query(on: db).filter(\.$provider == RingCentralSettingsStore.provider).first(),
                  row.settings?["subscription_id"] != nil else { return }
            try await queue.enqueue(MaintainRingCentralSubscription.self, .init(), on: db, uniqueKey: "ringcentral-subscription")
        }
    }
}
