import Fluent
import Foundation
import SQLKit

/// A person's verdict on what the spam checks judged: "Not spam" puts enquiries on the normal
/// path at once (sync, alerts, texts, as if they had just arrived; their received time kept);
/// "Mark as spam" takes one off it; "Delete" erases spam.
struct SpamRelease {
    let followUps: NewEnquiryFollowUps
    let database: any Database

    /// Releases those of `ids` that are spam; returns how many.
    func release(_ ids: [Int]) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let followUps = self.followUps
        let (released, queued) = try await database.writeTransaction { tx -> (Int, Bool) in
            let spam = try await Enquiry.query(on: tx).filter(\.$id ~~ ids).filter(\.$status == .spam).all(\.$id)
            guard !spam.isEmpty else { return (0, false) }
            try await Enquiry.query(on: tx).filter(\.$id ~~ spam)
                .set(\.$status, to: .pending).set(\.$spamReason, to: nil).update()
            return (spam.count, try await followUps.run(spam, on: tx, releasedByPerson: true))
        }
        followUps.committed(queuedJobs: queued)
        return released
    }

    /// Marks one enquiry as spam (a person's reason); its waiting sync and texts are dropped.
    /// Refused when it reached SuiteDash already: LeadBridge cannot take it back from there.
    func markSpam(_ enquiry: Enquiry, by admin: String) async throws -> Bool {
        guard enquiry.status == .pending || enquiry.status == .failed else { return false }
        let id = try enquiry.requireID()
        try await database.writeTransaction { tx in
            try await Enquiry.query(on: tx).filter(\.$id == id)
                .set(\.$status, to: .spam).set(\.$spamReason, to: "Marked as spam by \(admin).").update()
            let sql = try tx.sql()
            // A job a worker holds now finishes; one waiting is dropped.
            try await sql.raw("DELETE FROM jobs WHERE unique_key = \(bind: SyncEnquiryToSuiteDash.uniqueKey(id)) AND reserved_by IS NULL").run()
            try await sql.raw("""
                UPDATE automatic_texts SET status = 'dropped', reason = 'The enquiry was marked as spam.'
                WHERE contact_submission_id = \(bind: id) AND status = 'queued'
                """).run()
        }
        return true
    }

    func delete(_ ids: [Int]) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return try await database.writeTransaction { tx in
            let spam = try await Enquiry.query(on: tx).filter(\.$id ~~ ids).filter(\.$status == .spam).all(\.$id)
            if !spam.isEmpty { try await Enquiry.query(on: tx).filter(\.$id ~~ spam).delete() }
            return spam.count
        }
    }
}
