import Fluent
import Foundation

/// Time to first contact: when a person first called or texted an enquiry's phone after it
/// came in, stored on the enquiry when it happens (a sort over a million rows reads an index,
/// not the calls). Automatic texts never count; a call or text before the enquiry does not
/// either. A later contact never replaces an earlier one, whatever order they are learnt in
/// (the call log arrives after a text sent from here).
enum FirstContact {
    /// Records contacts with phones: each (E.164 number, when) a person called or texted.
    static func record(_ contacts: [(phone: String, at: Date)], on db: any Database) async throws {
        var byPhone: [String: [Date]] = [:]
        for contact in contacts { byPhone[contact.phone, default: []].append(contact.at) }
        guard !byPhone.isEmpty else { return }
        for chunk in Array(byPhone.keys).chunked(into: 500) {
            let enquiries = try await Enquiry.query(on: db).filter(\.$phone ~~ chunk).all()
            for enquiry in enquiries {
                guard let phone = enquiry.phone, let created = enquiry.createdAt,
                      let first = byPhone[phone]?.filter({ $0 >= created }).min() else { continue }
                if let known = enquiry.firstContactAt, known <= first { continue }
                enquiry.firstContactAt = first
                enquiry.firstContactSeconds = Int(first.timeIntervalSince(created).rounded(.down))
                try await enquiry.save(on: db)
            }
        }
    }

    static func record(phone: String, at date: Date, on db: any Database) async throws {
        guard let e164 = PhoneNumber.e164(phone) else { return }
        try await record([(e164, date)], on: db)
    }
}
