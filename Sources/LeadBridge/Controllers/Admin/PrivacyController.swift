import Fluent
import Vapor

/// `/admin/privacy`: a person's data, found by email or phone, downloaded as JSON, or erased;
/// and the record of erasures. Nothing here touches SuiteDash or RingCentral.
struct PrivacyController {
    struct ErasureRow: Encodable {
        let when: String, kind: String, requestedBy: String, matchedBy: String
        let enquiries: Int, calls: Int, texts: Int, logRows: Int, exports: Int
    }
    /// The tick that adds calls and texts linked by a typed phone: its numbers and what it adds.
    struct PhoneLinked: Encodable {
        let numbers: String
        let calls: Int, texts: Int
        let included: Bool
    }

    struct Context: Encodable {
        let title: String, csrf: String, admin: String
        let email: String, phone: String
        let searched: Bool
        let rows: [EnquiryRow]
        let calls: Int, texts: Int, logRows: Int
        let exports: [String]
        let suiteDashContacts: [String]
        let exportLink: String
        /// Calls and texts linked only by the phone typed into their enquiries.
        let phoneLinked: PhoneLinked?
        /// Set when the enquiries found carry several emails: a shared phone, perhaps several people.
        let severalPeople: String?
        let notice: String?
        let erasures: [ErasureRow]
        let retention: String
    }

    @Sendable func index(req: Request) async throws -> Response {
        let (email, phone) = Self.asked(req)
        var context = Context(title: "A person's data", csrf: req.csrfToken, admin: try req.auth.require(User.self).email,
                              email: email ?? "", phone: phone ?? "", searched: false, rows: [], calls: 0, texts: 0, logRows: 0,
                              exports: [], suiteDashContacts: [], exportLink: "", phoneLinked: nil, severalPeople: nil, notice: req.notice,
                              erasures: try await Self.erasures(on: req.db), retention: Self.retention(req.services.config))
        if email != nil || phone != nil {
            let person = try Self.person(req, email: email, phone: phone, includePhoneLinked: Self.asksPhoneLinked(req))
            let found = try await Self.data(req).find(person)
            let enquiries = found.enquiryIDs.isEmpty ? [] : try await Enquiry.query(on: req.db).filter(\.$id ~~ found.enquiryIDs)
                .sort(\.$createdAt, .descending).all()
            let exports = found.exportIDs.isEmpty ? [] : try await SuiteDashExport.query(on: req.db).filter(\.$id ~~ found.exportIDs).all()
            context = Context(title: context.title, csrf: context.csrf, admin: context.admin,
                              email: person.email ?? "", phone: person.phone ?? "", searched: true,
                              rows: enquiries.map(EnquiryRow.init), calls: found.allCallIDs.count, texts: found.allTextIDs.count,
                              logRows: found.logIDs.count, exports: exports.map(\.fileName),
                              suiteDashContacts: Array(Set(enquiries.compactMap(\.externalID))).sorted(),
                              exportLink: AdminURL.privacy.path + "/export?" + Self.query(person),
                              phoneLinked: Self.phoneLinked(found, person),
                              severalPeople: Self.severalPeople(enquiries),
                              notice: context.notice, erasures: context.erasures, retention: context.retention)
        }
        // A person's details: not for a shared cache or the back button of a shared computer.
        let response = try await req.view.render("admin/privacy", context).encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    static func severalPeople(_ enquiries: [Enquiry]) -> String? {
        let emails = Set(enquiries.compactMap { $0.email?.lowercased() })
        guard emails.count > 1 else { return nil }
        return "These enquiries carry \(emails.count) different emails (\(emails.sorted().joined(separator: ", "))): a shared phone, perhaps, and so more than one person. Erasing erases all of them; to erase one person, find them by their email."
    }

    static func phoneLinked(_ found: PersonData.Found, _ person: PersonQuery) -> PhoneLinked? {
        let calls = person.includePhoneLinked ? found.phoneLinkedCallIDs.count : found.phoneLinkedLeftOut.calls
        let texts = person.includePhoneLinked ? found.phoneLinkedTextIDs.count : found.phoneLinkedLeftOut.texts
        guard calls + texts > 0 else { return nil }
        return PhoneLinked(numbers: found.phoneLinkedNumbers.joined(separator: ", "), calls: calls, texts: texts,
                           included: person.includePhoneLinked)
    }

    /// Everything found, as one JSON file to send the person.
    @Sendable func export(req: Request) async throws -> Response {
        let (email, phone) = Self.asked(req)
        let person = try Self.person(req, email: email, phone: phone, includePhoneLinked: Self.asksPhoneLinked(req))
        let document = try await PersonExport.make(person, found: try await Self.data(req).find(person),
                                                   doNotText: req.services.speedToLead.doNotText, on: req.db,
                                                   now: req.services.clock.now())
        let response = Response(status: .ok, body: .init(data: try document.encoded()))
        response.headers.contentType = .json
        response.headers.replaceOrAdd(name: .contentDisposition,
                                      value: "attachment; filename=\"leadbridge-person-\(EnquiryListRange.dayText(req.services.clock.now())).json\"")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable func erase(req: Request) async throws -> Response {
        struct Form: Decodable { let email: String?; let phone: String?; let confirm: String?; let phone_linked: String? }
        let form = try req.content.decode(Form.self)
        let person = try Self.person(req, email: form.email, phone: form.phone, includePhoneLinked: form.phone_linked == "yes")
        guard form.confirm == "yes" else {
            throw Abort(.badRequest, reason: "Tick the box that says you understand erasing cannot be undone, then press Erase again.")
        }
        let admin = try req.auth.require(User.self).email
        let erased = try await Self.data(req).erase(person, requestedBy: admin, now: req.services.clock.now())
        req.logger.notice("A person's data was erased", metadata: [
            "by": .string(admin), "enquiries": "\(erased.enquiries)", "calls": "\(erased.calls)", "texts": "\(erased.texts)",
        ])
        var sentence = "Erased \(erased.enquiries) enquiry(ies), \(erased.calls) call(s) and \(erased.texts) text(s); emptied \(erased.logRows) log row(s)"
        sentence += erased.exports > 0 ? "; took them out of \(erased.exports) CSV export(s)." : "."
        if !erased.exportsNotRewritten.isEmpty {
            sentence += " These export files could not be rewritten (not readable or writable by the server): \(erased.exportsNotRewritten.joined(separator: ", ")); delete them under SuiteDash > Exports."
        }
        return req.redirect(to: AdminURL.privacy.path, notice: sentence)
    }

    // MARK: Helpers

    private static func asked(_ req: Request) -> (String?, String?) {
        func value(_ name: String) -> String? {
            (try? req.query.get(String.self, at: name)).map { TextSanitizer.singleLine($0) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        return (value("email"), value("phone"))
    }

    /// The tick "also the calls and texts linked by the phone number the visitor typed".
    private static func asksPhoneLinked(_ req: Request) -> Bool {
        (try? req.query.get(String.self, at: "phone_linked")) == "yes"
    }

    private static func person(_ req: Request, email: String?, phone: String?, includePhoneLinked: Bool = false) throws -> PersonQuery {
        do {
            return try PersonQuery(email: email, phone: phone, includePhoneLinked: includePhoneLinked,
                                   defaultCountry: req.services.config.intake.defaultCountry)
        } catch let problem as PersonQuery.Problem {
            throw Abort(.badRequest, reason: problem.description)
        }
    }

    private static func data(_ req: Request) -> PersonData {
        PersonData(database: req.db, exportsFolder: req.services.config.suiteDash.exportPath)
    }

    static func query(_ person: PersonQuery) -> String {
        query(email: person.email, phone: person.phone) + (person.includePhoneLinked ? "&phone_linked=yes" : "")
    }

    /// `email=…&phone=…` for the privacy page's links (either may be left out).
    static func query(email: String?, phone: String?) -> String {
        var items: [String] = []
        if let email { items.append("email=" + (email.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")) }
        if let phone { items.append("phone=" + (phone.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")) }
        return items.joined(separator: "&")
    }

    private static func erasures(on db: any Database) async throws -> [ErasureRow] {
        try await db.sql().raw("""
            SELECT kind, requested_by, matched_by, enquiries, calls, texts, log_rows, exports, created_at
            FROM erasures ORDER BY id DESC LIMIT 20
            """).all().map { row in
            ErasureRow(when: AdminDate.format(try row.decode(column: "created_at", as: Date.self)),
                       kind: try row.decode(column: "kind", as: String.self),
                       requestedBy: try row.decode(column: "requested_by", as: String.self),
                       matchedBy: try row.decode(column: "matched_by", as: String.self),
                       enquiries: try row.decode(column: "enquiries", as: Int.self), calls: try row.decode(column: "calls", as: Int.self),
                       texts: try row.decode(column: "texts", as: Int.self), logRows: try row.decode(column: "log_rows", as: Int.self),
                       exports: try row.decode(column: "exports", as: Int.self))
        }
    }

    static func retention(_ config: AppConfig) -> String {
        guard let days = config.enquiryRetentionDays else {
            return "Enquiries are kept until someone erases them (ENQUIRY_RETENTION_DAYS is off)."
        }
        return "Enquiries, calls and texts older than \(days) days are erased every day (ENQUIRY_RETENTION_DAYS)."
    }
}
