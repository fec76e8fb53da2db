import Fluent
import SQLKit
import Vapor

/// `/admin/submissions`: every enquiry, paged, filtered and searchable; and one in detail.
struct EnquiriesController {
    static let pageSize = 25

    struct Option: Encodable { let value: String; let label: String }
    struct Conflict: Encodable {
        let phoneContact: String; let emailContact: String; let email: String; let phone: String; let decided: Bool
        /// The phone's contact has no email, and nobody holds this one: may the contact gain it?
        let addsEmail: Bool
    }

    struct ListContext: Encodable {
        let title: String
        let csrf: String
        let admin: String
        let rows: [EnquiryRow]
        let statuses: [String]
        let status: String
        let q: String
        let since: String
        let until: String
        let synced: String
        /// The Source filter: the channel chosen, and the channels leads have come from.
        let source: String
        let sources: [String]
        let syncSpeeds: [Option]
        let sort: String
        let sorts: [Option]
        let page: Int
        /// Unknown when a search matched more rows than it counts.
        let pageCount: Int?
        /// "12,345 enquiries", "more than 1,000 enquiries".
        let summary: String
        /// Set when the search was too short for the index and looked at the newest enquiries only.
        let searchNote: String?
        let previousPage: String?
        let nextPage: String?
        /// After an action that came back here (spam released or deleted).
        let notice: String?
    }

    struct DetailContext: Encodable {
        let title: String
        let csrf: String
        let admin: String
        let row: EnquiryRow
        let message: String
        /// False when the visitor wrote none: the page says so instead of an empty box. A flag,
        /// since Leaf would read a message of "false" as false.
        let hasMessage: Bool
        let source: String
        let consent: String
        /// The words agreed to, as the visitor saw them.
        let consentText: String
        let smsConsent: String
        let smsConsentText: String
        let ip: String
        let userAgent: String
        let externalID: String
        let syncedAt: String
        let exportedAt: String
        let syncError: String
        let logs: [IntegrationLogsController.Row]
        let canSync: Bool
        let notice: String?
        /// Why a Call or Send SMS was refused, shown as an alert.
        let refusal: String?
        /// The text typed into Send SMS, kept when it was refused.
        let smsText: String
        let phone: RingCentralPanel
        let timeline: [EnquiryTimeline.Item]
        /// Set when the phone's SuiteDash contact and the email's are two: the admin chooses.
        let conflict: Conflict?
        /// Fields SuiteDash holds otherwise than the enquiry said, kept as SuiteDash has them.
        let differences: [SuiteDashDifferencesController.Item]
        /// Everything about this person (by this enquiry's email and phone): find, download, erase.
        let privacyLink: String
        /// Time to first contact in words ("4 min after it came in", "Waiting for 2 h").
        let firstContact: String
        /// When the phone texted STOP, if it did: Send SMS asks for confirmation.
        let optedOut: String?
        /// Send SMS's To: the enquiry's phone, or the number typed when it was refused for STOP.
        let smsTo: String
        /// Set when a create for this phone may have reached SuiteDash unremembered: the admin says.
        let uncertainCreate: String?
        /// The form it came through, its extra fields, and where the lead came from (#30).
        let formName: String
        let extras: [LabeledValue]
        let channel: String
        let attribution: [LabeledValue]
        let lastTouch: [LabeledValue]
    }

    struct LabeledValue: Encodable { let label: String; let value: String }

    @Sendable func index(req: Request) async throws -> View {
        let status = (try? req.query.get(String.self, at: "status")).flatMap(EnquiryStatus.init(rawValue:))
        let q = String(TextSanitizer.singleLine((try? req.query.get(String.self, at: "q")) ?? "").prefix(100))
        let page = req.pageNumber
        let range = try EnquiryListRange(req)
        let sortText = (try? req.query.get(String.self, at: "sort")) ?? ""
        guard let sort = sortText.isEmpty ? .newest : EnquiryListSort(rawValue: sortText) else {
            throw Abort(.badRequest, reason: "Sort by newest, first contact (fastest or slowest first) or waiting (oldest first).")
        }

        // One row past the page says whether there is a next one, whatever the total.
        let offset = (page - 1) * Self.pageSize
        let rows: [Enquiry]
        let total: ListTotal
        if !q.isEmpty {
            (rows, total) = try await EnquirySearch.page(q, status: status, range: range, offset: offset, limit: Self.pageSize + 1, on: req.db)
        } else {
            var query = Enquiry.query(on: req.db)
            // A sync speed implies `synced`, and its index leads with it: no second status condition.
            if let status, range.synced == nil || status != .synced { query = query.filter(\.$status == status) }
            if let since = range.since { query = query.filter(\.$createdAt >= since) }
            if let until = range.until { query = query.filter(\.$createdAt < until.addingTimeInterval(86_400)) }
            if let channel = range.channel { query = query.filter(\.$channel == channel) }
            if let speed = range.synced {
                query = query.filter(.custom(speed.condition(req.db.sqlDialect)))
            }
            // Counted in the list's order: PostgreSQL then walks the index and stops at the cap;
            // unordered, it chose a bitmap of every match first.
            query = sort.apply(to: query)
            if range.isEmpty && sort == .newest {
                // The counts are kept by the database (017_CountEnquiries).
                let counts = try await EnquiryCounts.read(on: req.db)
                total = .exact(status.map(counts.count) ?? counts.total)
            } else {
                total = try await ListTotal.counting(query)
            }
            // The page's ids first, then its rows: the ids come from the index alone, so a deep page
            // skips index entries rather than whole rows.
            let ids = try await query.range(offset..<(offset + Self.pageSize + 1)).all(\._$id)
            rows = ids.isEmpty ? [] : try await sort.apply(to: Enquiry.query(on: req.db).filter(\._$id ~~ ids)).all()
        }

        func link(_ page: Int) -> String {
            var items = ["page=\(page)"]
            if let status { items.append("status=\(status.rawValue)") }
            if !q.isEmpty { items.append("q=" + (q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")) }
            items += range.queryItems
            if sort != .newest { items.append("sort=" + sort.rawValue) }
            return AdminURL.enquiries.path + "?" + items.joined(separator: "&")
        }
        return try await req.view.render("admin/enquiries/index", ListContext(
            title: "Enquiries", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            rows: rows.prefix(Self.pageSize).map(EnquiryRow.init), statuses: EnquiryStatus.allCases.map(\.rawValue),
            status: status?.rawValue ?? "", q: q, since: range.sinceText, until: range.untilText,
            synced: range.synced?.rawValue ?? "", source: range.channel ?? "",
            sources: try await EnquiryChannels.known(on: req.db), syncSpeeds: EnquiryListRange.SyncSpeed.allCases.map { .init(value: $0.rawValue, label: $0.label) },
            sort: sort.rawValue, sorts: EnquiryListSort.allCases.map { .init(value: $0.rawValue, label: $0.label) },
            page: page, pageCount: total.pageCount(of: Self.pageSize),
            summary: total.describe("enquiry", "enquiries"),
            searchNote: !q.isEmpty && EnquirySearch.isShort(q)
                ? "One or two characters search the newest \(ListTotal.grouped(EnquirySearch.shortSearchWindow)) enquiries; type three or more to search them all."
                : nil,
            previousPage: page > 1 ? link(page - 1) : nil, nextPage: rows.count > Self.pageSize ? link(page + 1) : nil,
            notice: req.notice))
    }

    @Sendable func show(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int.self) else {
            throw Abort(.notFound, reason: "There is no enquiry with that number; it may have been deleted.")
        }
        return try await Self.page(req, id: id, notice: req.notice, refusal: nil)
    }

    /// What a refused Call or Send SMS answers: the enquiry's page again with the reason, under
    /// the status the refusal deserves (422 for what was typed), and the text typed kept.
    struct Refusal {
        let status: HTTPStatus
        let reason: String
        let smsText: String?
        /// Set when the number typed into Send SMS texted STOP: the page asks for confirmation,
        /// whichever number it was, and keeps it typed.
        var optedOut: (number: String, date: Date)? = nil
    }

    static func page(_ req: Request, id: Int, notice: String?, refusal: Refusal?) async throws -> Response {
        guard let enquiry = try await Enquiry.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no enquiry with that number; it may have been deleted.")
        }
        let response = try await req.view.render("admin/enquiries/show", DetailContext(
            title: "Enquiry #\(id)", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
            row: EnquiryRow(enquiry), message: enquiry.message ?? "", hasMessage: !(enquiry.message ?? "").isEmpty,
            source: enquiry.source,
            consent: enquiry.consent ? "Given " + AdminDate.format(enquiry.consentAt) : "Not given",
            consentText: enquiry.consent ? enquiry.consentText ?? "" : "",
            smsConsent: enquiry.smsConsent ? "Given " + AdminDate.format(enquiry.smsConsentAt) : "Not given",
            smsConsentText: enquiry.smsConsent ? enquiry.smsConsentText ?? "" : "",
            ip: enquiry.ip ?? "", userAgent: enquiry.userAgent ?? "",
            externalID: enquiry.externalID ?? "", syncedAt: AdminDate.format(enquiry.syncedAt),
            exportedAt: AdminDate.format(enquiry.exportedAt), syncError: enquiry.syncError ?? "",
            logs: try await IntegrationLog.query(on: req.db).filter(\.$relatedType == IntegrationLog.aboutEnquiry)
                .filter(\.$relatedID == id).sort(\.$id, .descending).limit(50).all().map(IntegrationLogsController.Row.init),
            canSync: try await req.services.suiteDash.settings.load().syncsAutomatically,
            notice: refusal == nil ? notice : nil,
            refusal: refusal?.reason, smsText: refusal?.smsText ?? "",
            phone: try await RingCentralPanel.load(req, ringOutID: (try? req.query.get(String.self, at: "ringout")).flatMap { RingOutID.isValid($0) ? $0 : nil },
                                                   enquiryID: id),
            timeline: try await EnquiryTimeline.items(for: enquiry, on: req.db),
            conflict: try await SuiteDashContactConflict.find(enquiryID: id, on: req.db).map {
                Conflict(phoneContact: $0.phoneContactUID, emailContact: $0.emailContactUID, email: enquiry.email ?? "",
                         phone: enquiry.phone ?? "", decided: $0.decision != nil, addsEmail: $0.phoneContactUID == $0.emailContactUID)
            },
            differences: try await SuiteDashDifferencesController.items(enquiryID: id, on: req.db),
            // By the email when there is one: a phone may be an office's line, shared with colleagues.
            privacyLink: AdminURL.privacy.path + "?" + PrivacyController.query(email: enquiry.email,
                                                                                phone: enquiry.email == nil ? enquiry.phone : nil),
            firstContact: FirstContactText.describe(enquiry, now: req.services.clock.now()),
            optedOut: try await Self.optedOut(refusal?.optedOut?.number ?? enquiry.phone, req).map(AdminDate.format),
            smsTo: refusal?.optedOut?.number ?? enquiry.phone ?? "",
            uncertainCreate: try await Self.uncertainCreate(enquiry, req).map(AdminDate.format),
            formName: try await Self.formName(enquiry, req),
            extras: enquiry.extraFields.map { LabeledValue(label: $0.label, value: $0.value) },
            channel: enquiry.channel ?? "",
            attribution: enquiry.attribution.rows.map { LabeledValue(label: $0.label, value: $0.value) },
            lastTouch: enquiry.lastTouch.rows.map { LabeledValue(label: $0.label, value: $0.value) }))
        .encodeResponse(for: req)
        if let refusal { response.status = refusal.status }
        return response
    }

    /// The answer to "is this phone-only lead in SuiteDash already?" after a create whose outcome
    /// was lost: with a uid (found there), the phone is pointed at that contact; without one (not
    /// there), the note is forgotten. Then every enquiry held on it is synced again.
    @Sendable func resolveUncertainCreate(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int.self), let enquiry = try await Enquiry.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no enquiry with that number; it may have been deleted.")
        }
        struct Form: Decodable { let uid: String? }
        let uid = FormText.nonEmpty((try? req.content.decode(Form.self))?.uid)
        if let uid, !(1...64).contains(uid.count) || !uid.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            throw Abort(.badRequest, reason: "A SuiteDash contact uid is letters, digits and dashes, like 2f9c1a7e-…; copy it from the contact's address in SuiteDash.")
        }
        let map = SuiteDashContactMap(database: req.db)
        guard let phone = enquiry.phone, try await map.uncertainCreate(phone: phone) != nil else {
            throw Abort(.conflict, reason: "Nothing is waiting on this: the phone's SuiteDash contact is known (or was decided already).")
        }
        let sync = req.services.suiteDash.enquirySync
        guard try await sync.canSync(on: req.db) else { throw Abort(.conflict, reason: EnquirySync.notSetUp) }
        try await req.db.writeTransaction { tx in
            try await sync.sendAgain(id, because: .uncertainCreateAnswered(phone: phone, uid: uid), on: tx)
        }
        return req.redirect(to: AdminURL.enquiry(.value(id)).path, notice: uid == nil
            ? "Queued: a new SuiteDash contact will be created for \(phone)."
            : "Queued: the enquiry joins SuiteDash contact \(uid!).")
    }

    private static func formName(_ enquiry: Enquiry, _ req: Request) async throws -> String {
        guard let id = enquiry.formID else { return "" }
        return try await WebForm.find(id, on: req.db)?.name ?? "a form since deleted"
    }

    private static func uncertainCreate(_ enquiry: Enquiry, _ req: Request) async throws -> Date? {
        guard enquiry.externalID == nil, let phone = enquiry.phone else { return nil }
        return try await SuiteDashContactMap(database: req.db).uncertainCreate(phone: phone)
    }

    private static func optedOut(_ phone: String?, _ req: Request) async throws -> Date? {
        guard let phone else { return nil }
        return try await req.services.speedToLead.doNotText.isOptedOut(phone, on: req.db)
    }

    /// The admin's choice for an enquiry whose phone and email belong to two SuiteDash contacts:
    /// join the email's contact (`email`), or the phone's without the email (`phone`). Then it is synced.
    @Sendable func chooseContact(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int.self), try await Enquiry.find(id, on: req.db) != nil else {
            throw Abort(.notFound, reason: "There is no enquiry with that number; it may have been deleted.")
        }
        struct Form: Decodable { let contact: String }
        guard let choice = (try? req.content.decode(Form.self)).flatMap({ SuiteDashContactConflict.Decision(rawValue: $0.contact) }) else {
            throw Abort(.badRequest, reason: "Choose the email's contact or the phone's contact.")
        }
        guard var conflict = try await SuiteDashContactConflict.find(enquiryID: id, on: req.db) else {
            throw Abort(.conflict, reason: "This enquiry has no choice of contact waiting; it may have been synced already.")
        }
        let sync = req.services.suiteDash.enquirySync
        guard try await sync.canSync(on: req.db) else { throw Abort(.conflict, reason: EnquirySync.notSetUp) }
        conflict.decision = choice
        let decided = conflict
        try await req.db.writeTransaction { tx in try await sync.sendAgain(id, because: .contactChosen(decided), on: tx) }
        return req.redirect(to: AdminURL.enquiry(.value(id)).path, notice: choice == .email
            ? "Queued: the enquiry joins the contact that holds its email."
            : "Queued: the enquiry joins the phone's contact, without the email.")
    }

    /// "Sync now": queue this enquiry for SuiteDash (again), e.g. after a failure was fixed.
    @Sendable func syncNow(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id", as: Int.self),
              let enquiry = try await Enquiry.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no enquiry with that number; it may have been deleted.")
        }
        guard enquiry.status != .spam else {
            throw Abort(.conflict, reason: "This enquiry is in Spam: press Not spam first, and it goes to SuiteDash by itself.")
        }
        let sync = req.services.suiteDash.enquirySync
        guard try await sync.canSync(on: req.db) else { throw Abort(.conflict, reason: EnquirySync.notSetUp) }
        try await req.db.writeTransaction { tx in try await sync.sendAgain(id, because: .asked(enquiry), on: tx) }
        return req.redirect(to: AdminURL.enquiry(.value(id)).path, notice: "Queued for SuiteDash.")
    }
}
