import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Recurring work ("sync call logs every 15 minutes"): each task is enqueued once per
/// period, however many schedulers run on however many machines.
///
/// Time is cut into periods of the task's interval; a scheduler that moves the task's
/// `scheduled_tasks.last_period` forward (one conditional UPDATE, which only one writer
/// can win) enqueues the job in the same transaction. Losers see zero rows and do nothing.
struct RecurringTask: Sendable {
    let name: String
    let interval: TimeInterval
    let enqueue: @Sendable (_ queue: JobQueue, _ db: any Database) async throws -> Void
}

final class RecurringTasks: Sendable {
    private let tasks = NIOLockedValueBox<[RecurringTask]>([])
    func add(_ task: RecurringTask) { tasks.withLockedValue { $0.append(task) } }
    var all: [RecurringTask] { tasks.withLockedValue { $0 } }
}

extension Application {
    private struct RecurringTasksKey: StorageKey { typealias Value = RecurringTasks }

    var recurringTasks: RecurringTasks {
        if let tasks = storage[RecurringTasksKey.self] { return tasks }
        let tasks = RecurringTasks()
        storage[RecurringTasksKey.self] = tasks
        return tasks
    }
}

struct Scheduler: Sendable {
    let queue: JobQueue

    /// Enqueues every task whose current period has not been enqueued yet; returns their names.
    @discardableResult
    func tick(_ tasks: [RecurringTask], on db: any Database) async throws -> [String] {
        var enqueued: [String] = []
        for task in tasks {
            let period = Int64((queue.now().timeIntervalSince1970 / task.interval).rounded(.down))
            if try await claim(task, period: period, on: db) { enqueued.append(task.name) }
        }
        return enqueued
    }

    private func claim(_ task: RecurringTask, period: Int64, on db: any Database) async throws -> Bool {
        let sql = try db.sql()
        try await sql.insert(into: "scheduled_tasks").columns("name", "last_period", "updated_at")
            .values(SQLBind(task.name), SQLBind(Int64(-1)), SQLBind(queue.now()))
            .ignoringConflicts(with: ["name"]).run()
        return try await db.transaction { tx in
            let won = try await tx.sql().raw("""
                UPDATE scheduled_tasks SET last_period = \(bind: period), updated_at = \(bind: queue.now())
                WHERE name = \(bind: task.name) AND last_period < \(bind: period)
                RETURNING name
                """).all()
            guard !won.isEmpty else { return false }
            try await task.enqueue(queue, tx)
            return true
        }
    }
}
