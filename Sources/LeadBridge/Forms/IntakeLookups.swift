import Fluent
import Foundation
import NIOConcurrencyHelpers

/// The forms and spam rules every enquiry is checked against, read from the database at most
/// once a second per process instead of twice per enquiry (issue #30's form-post bench: the two
/// reads, each a trip to SQLite's threads and through Fluent's reflection, were the largest
/// share of an enquiry's time after the commit).
///
/// An admin's save in this process is seen at once (`invalidate()`); another process (a second
/// server behind a load balancer) sees it within `lifetime`. What is handed out is shared by
/// every request: read it, never change it (the admin pages load their own copies to edit).
final class IntakeLookups: Sendable {
    private struct State {
        var forms: [String: (form: WebForm?, loadedAt: Date)] = [:]
        var rules: (rules: [SpamRule], loadedAt: Date)?
        /// Bumped by `invalidate()`: a read that began before it does not store its stale answer.
        var generation = 0
    }
    private let state = NIOLockedValueBox(State())
    let lifetime: TimeInterval

    init(lifetime: TimeInterval = 1) {
        self.lifetime = lifetime
    }

    /// The form at `slug`, or nil when there is none (not remembered: the slugs a bot makes up
    /// are endless).
    func form(slug: String, on db: any Database) async throws -> WebForm? {
        let now = Date()
        let (cached, generation) = state.withLockedValue { state in (state.forms[slug], state.generation) }
        if let cached, now.timeIntervalSince(cached.loadedAt) < lifetime { return cached.form }
        let form = try await WebForm.find(slug: slug, on: db)
        // Only forms that exist are kept: a bot asking for random addresses must not grow this.
        if let form {
            state.withLockedValue { state in
                guard state.generation == generation else { return }
                state.forms[slug] = (form, now)
            }
        }
        return form
    }

    /// The contact page's form (made again if someone deleted its row by hand).
    func contactForm(on db: any Database) async throws -> WebForm {
        if let form = try await form(slug: WebForm.contactSlug, on: db) { return form }
        invalidate()
        return try await WebForm.contact(on: db)
    }

    func spamRules(on db: any Database) async throws -> [SpamRule] {
        let now = Date()
        let (cached, generation) = state.withLockedValue { state in (state.rules, state.generation) }
        if let cached, now.timeIntervalSince(cached.loadedAt) < lifetime { return cached.rules }
        let rules = try await SpamRule.query(on: db).all()
        state.withLockedValue { state in
            guard state.generation == generation else { return }
            state.rules = (rules, now)
        }
        return rules
    }

    /// After a form or a rule is saved or deleted here: the next enquiry reads them afresh.
    func invalidate() {
        state.withLockedValue { state in
            state.forms = [:]
            state.rules = nil
            state.generation += 1
        }
    }
}
