import AsyncHTTPClient
import Foundation
import ProviderSandbox
import Testing
@testable import SuiteDashKit

/// A sandbox on a free loopback port and a client pointed at it, for one test.
func withSandbox(_ body: (SandboxServer, SuiteDashClient) async throws -> Void) async throws {
    let server = try await SandboxServer.start()
    let client = SuiteDashClient(
        baseURL: server.suiteDashURL,
        credentials: .init(publicID: server.suiteDash.publicID, secretKey: server.suiteDash.secretKey),
        httpClient: HTTPClient.shared, timeout: .seconds(5))
    do { try await body(server, client) } catch { await server.stop(); throw error }
    await server.stop()
}

/// What an observer was told, in order.
actor RecordBox {
    private(set) var all: [SuiteDashRequestRecord] = []
    func append(_ record: SuiteDashRequestRecord) { all.append(record) }
}

@Suite("SuiteDash client against the sandbox")
struct SuiteDashClientTests {
    static let ada = SuiteDashClient.ContactDetails(
        firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", phone: "+14155550100",
        companyName: "Analytical Engines", notes: "Website enquiry", tags: ["website-lead", "strategy"])

    @Test func connectionTestUsesContactMeta() async throws {
        try await withSandbox { server, client in
            try await client.testConnection()
            #expect(server.suiteDash.callsByEndpoint == ["GET /contact/meta": 1])
            #expect(client.calls.total == 1)
        }
    }

    @Test func aNewPersonIsCreatedAsATaggedLeadInTwoCalls() async throws {
        try await withSandbox { server, client in
            let result = try await client.createOrUpdateContact(Self.ada)
            #expect(result.created && result.changed)
            let stored = try #require(server.suiteDash.contacts.first)
            #expect(stored.uid == result.uid)
            #expect(stored.fields["role"] == "Lead" && stored.fields["email"] == "ada@example.com")
            #expect(stored.tags == ["website-lead", "strategy"])
            #expect(server.suiteDash.callsByEndpoint == ["GET /contact/{id}": 1, "POST /contact": 1])
        }
    }

    @Test("a lookup that finds nobody is an answer: recorded with its 404 and no error; a missing uid on update is an error")
    func aLookupMissIsRecordedWithoutAnError() async throws {
        try await withSandbox { server, _ in
            let records = RecordBox()
            let client = SuiteDashClient(
                baseURL: server.suiteDashURL,
                credentials: .init(publicID: server.suiteDash.publicID, secretKey: server.suiteDash.secretKey),
                httpClient: HTTPClient.shared, timeout: .seconds(5)) { await records.append($0) }
            let nobody = try await client.contact("nobody@example.com")
            #expect(nobody == nil)
            await #expect(throws: SuiteDashError.self) {
                _ = try await client.updateContact("no-such-uid", SuiteDashContactDraft(firstName: "X"))
            }
            let seen = await records.all
            #expect(seen.map(\.endpoint) == ["GET /contact/{id}", "PUT /contact/{id}"])
            #expect(seen.map(\.status) == [404, 404])
            #expect(seen[0].error == nil)
            #expect(seen[1].error != nil)
        }
    }

    @Test func tagsDroppedOnCreateAreSetWithAFollowUpPut() async throws {
        try await withSandbox { server, client in
            server.suiteDash.keepsTagsOnCreate = false
            _ = try await client.createOrUpdateContact(Self.ada)
            #expect(server.suiteDash.contacts.first?.tags == ["website-lead", "strategy"])
            #expect(server.suiteDash.callsByEndpoint["PUT /contact/{id}"] == 1)
        }
    }

    @Test func anExistingContactKeepsItsTagsAndNothingIsSentWhenNothingChanged() async throws {
        try await withSandbox { server, client in
            let first = try await client.createOrUpdateContact(Self.ada)
            _ = try await client.updateContact(first.uid, SuiteDashContactDraft(tags: ["vip", "website-lead"]))
            server.suiteDash.resetCalls()

            var again = Self.ada
            again.tags = ["website-lead", "marketing"]
            let second = try await client.createOrUpdateContact(again)
            #expect(second.uid == first.uid && !second.created && second.changed)
            #expect(server.suiteDash.contacts.count == 1, "no duplicate contact")
            #expect(server.suiteDash.contacts.first?.tags == ["vip", "website-lead", "marketing"], "the union, kept tags first")
            #expect(server.suiteDash.callsByEndpoint == ["GET /contact/{id}": 1, "PUT /contact/{id}": 1])
            server.suiteDash.resetCalls()

            let third = try await client.createOrUpdateContact(again, knownUID: first.uid)
            #expect(!third.changed)
            #expect(server.suiteDash.callsByEndpoint == ["GET /contact/{id}": 1], "one call once the uid is known")
        }
    }

    @Test("a lead SuiteDash already holds as it is costs exactly one call: company, circles and custom fields included")
    func anUnchangedLeadCostsOneCall() async throws {
        try await withSandbox { server, client in
            let fields = server.suiteDash.customFields
            var ada = Self.ada
            ada.circles = ["Website Leads"]
            ada.customFields = [fields[0].key: "Business Strategy", fields[1].key: "website"]
            let first = try await client.createOrUpdateContact(ada)
            let stored = try #require(server.suiteDash.contacts.first)
            #expect(stored.companies == ["Analytical Engines"], "the company object, not a flat company_name")
            #expect(stored.circles == ["Website Leads"])
            #expect(stored.customFields == ada.customFields.mapValues { .text($0) })
            server.suiteDash.resetCalls()

            let again = try await client.createOrUpdateContact(ada, knownUID: first.uid)
            #expect(!again.changed)
            #expect(server.suiteDash.callsByEndpoint == ["GET /contact/{id}": 1])
            server.suiteDash.resetCalls()

            // Someone in the office files the lead under a multi-select field and a number, and
            // takes them out of the circle. A field left empty then costs one PUT that sends every
            // other custom field back as it was, of its own type (SuiteDash's PUT replaces
            // custom_fields); a field holding a value keeps it (returned as a difference); and the
            // circle is not put back: circles are for new leads only.
            _ = try await client.updateContact(first.uid, SuiteDashContactDraft(customFields: [
                fields[0].key: "Business Strategy", fields[1].key: "website",
                fields[2].key: .array(["Priority", "Referral"]), fields[3].key: .number(3),
            ]))
            ada.circles = ["website leads", "Newsletter"]
            ada.customFields = [fields[1].key: "referral", fields[4].key: "2026-12-07"]
            server.suiteDash.resetCalls()
            let result = try await client.createOrUpdateContact(ada, knownUID: first.uid)
            let updated = try #require(server.suiteDash.contacts.first)
            #expect(updated.circles == ["Website Leads"])
            #expect(updated.customFields == [fields[0].key: "Business Strategy", fields[1].key: "website",
                                             fields[2].key: .json(#"["Priority","Referral"]"#), fields[3].key: .json("3"),
                                             fields[4].key: "2026-12-07"])
            #expect(result.differences == [.init(field: .customField(fields[1].key), suiteDashValue: "website", enquiryValue: "referral")])
            #expect(server.suiteDash.callsByEndpoint == ["GET /contact/{id}": 1, "PUT /contact/{id}": 1])
        }
    }

    @Test("an email with a plus is looked up as itself (sent as %2B), so the same person is found again")
    func aPlusInAnEmailIsEncoded() async throws {
        #expect(SuiteDashClient.pathSegment("ann+work@example.com") == "ann%2Bwork@example.com")
        try await withSandbox { server, client in
            var ann = Self.ada
            ann.email = "ann+work@example.com"
            let first = try await client.createOrUpdateContact(ann)
            let again = try await client.createOrUpdateContact(ann)
            #expect(first.created && !again.created && again.uid == first.uid)
            #expect(server.suiteDash.contacts.count == 1)
        }
    }

    @Test("a visitor typing a client's email never rewrites the contact: filled where empty, appended, tagged; every other difference is returned, and applied only when asked")
    func aVisitorOnlyAddsToAContact() async throws {
        try await withSandbox { server, client in
            let fields = server.suiteDash.customFields
            var client0 = Self.ada
            client0.customFields = [fields[3].key: "2026-01-05"]  // Consent Given At
            let real = try await client.createOrUpdateContact(client0)
            server.suiteDash.resetCalls()

            // An attacker posts the client's email with their own phone, name, company and consent date.
            var forged = SuiteDashClient.ContactDetails(firstName: "Mallory", lastName: "Evil", email: Self.ada.email,
                                                        phone: "+16505550199", companyName: "Evil Corp", notes: nil,
                                                        tags: ["website-lead", "SEO"], customFields: [fields[3].key: "2026-12-07", fields[1].key: "website"])
            forged.notes = "Website enquiry (source: website)\n\nCall me on my new number."
            let result = try await client.createOrUpdateContact(forged)
            let stored = try #require(server.suiteDash.contacts.first { $0.uid == real.uid })
            #expect(server.suiteDash.contacts.count == 1)
            #expect(stored.fields["first_name"] == Self.ada.firstName && stored.fields["last_name"] == Self.ada.lastName)
            #expect(stored.fields["phone"] == Self.ada.phone, "the client's phone stays")
            #expect(stored.companies == ["Analytical Engines"])
            #expect(stored.customFields[fields[3].key] == "2026-01-05", "the consent date stays")
            #expect(stored.customFields[fields[1].key] == "website", "an empty field is filled")
            #expect(stored.fields["background_info"]?.contains("Call me on my new number.") == true, "the enquiry is appended")
            #expect(Set(stored.tags) == Set(["SEO"] + Self.ada.tags), "tags are joined")
            let kinds = result.differences.map(\.field)
            #expect(kinds == [.firstName, .lastName, .phone, .company, .customField(fields[3].key)])
            #expect(result.differences.first { $0.field == .phone } == .init(field: .phone, suiteDashValue: Self.ada.phone!, enquiryValue: "+16505550199"))

            // An admin who checked applies one: only that field changes.
            try await client.apply(try #require(result.differences.first { $0.field == .phone }), to: real.uid)
            let applied = try #require(server.suiteDash.contacts.first)
            #expect(applied.fields["phone"] == "+16505550199")
            #expect(applied.fields["first_name"] == Self.ada.firstName)
            #expect(applied.customFields[fields[3].key] == "2026-01-05" && applied.customFields[fields[1].key] == "website")
        }
    }

    @Test("without a last name the placeholder is sent, and a real one replaces it later")
    func aMissingLastNameNeverFailsTheLead() async throws {
        try await withSandbox { server, client in
            var grace = SuiteDashClient.ContactDetails(firstName: "Grace", lastName: nil, email: "grace@example.com",
                                                       lastNamePlaceholder: "(none given)")
            let created = try await client.createOrUpdateContact(grace)
            #expect(server.suiteDash.contacts.first?.fields["last_name"] == "(none given)")
            server.suiteDash.resetCalls()
            #expect(try await client.createOrUpdateContact(grace, knownUID: created.uid).changed == false)

            grace.lastName = "Hopper"
            _ = try await client.createOrUpdateContact(grace, knownUID: created.uid)
            #expect(server.suiteDash.contacts.first?.fields["last_name"] == "Hopper")
            // A last name someone typed in SuiteDash is theirs: a later enquiry without one leaves it.
            grace.lastName = nil
            #expect(try await client.createOrUpdateContact(grace, knownUID: created.uid).changed == false)
            #expect(server.suiteDash.contacts.first?.fields["last_name"] == "Hopper")
        }
    }

    @Test func testConnectionListsTheAccountsCustomFields() async throws {
        try await withSandbox { server, client in
            server.suiteDash.customFields = [.init(key: "uid-2", label: "Lead Source"), .init(key: "uid-1", label: "Budget")]
            let meta = try await client.testConnection()
            #expect(meta.customFields.map(\.key) == ["uid-1", "uid-2"], "sorted by label")
            #expect(meta.customFields.map(\.label) == ["Budget", "Lead Source"])
            #expect(Set(["first_name", "last_name", "role"]).isSubset(of: Set(meta.requiredFields)))
        }
    }

    @Test("the schema is read bare or inside the data envelope: nothing public settles which")
    func contactMetaIsReadInEitherShape() throws {
        let schema = #"{"first_name":{"field_name":"First Name","required":true},"custom_fields":{"properties":{"k1":{"field_name":"Budget","required":false}}}}"#
        let bare = try SuiteDashContactMeta.parse(Data(schema.utf8))
        let wrapped = try SuiteDashContactMeta.parse(Data(#"{"success":true,"data":\#(schema)}"#.utf8))
        #expect(bare == wrapped)
        #expect(bare.customFields == [.init(key: "k1", label: "Budget")])
        #expect(throws: SuiteDashError.self) { try SuiteDashContactMeta.parse(Data("[]".utf8)) }
    }

    @Test("a contact is read in every shape public clients show: companies, a company object, a flat company_name")
    func contactsAreReadTolerantly() throws {
        let decoder = JSONDecoder()
        let listed = try decoder.decode(SuiteDashContact.self, from: Data(#"""
            {"uid":"u1","companies":[{"uid":"c1","name":"Acme"}],"circles":[{"uid":"x","name":"VIP"},"Plain"],
             "custom_fields":{"a":"text","b":3,"c":true,"d":null,"e":{"nested":1}}}
            """#.utf8))
        #expect(listed.companyNames == ["Acme"] && listed.circleNames == ["VIP", "Plain"])
        #expect(listed.customFields == ["a": "text", "b": .number(3), "c": .bool(true), "d": .null, "e": .object(["nested": .number(1)])],
                "every value kept as it came, to be sent back unchanged")
        let flat = try decoder.decode(SuiteDashContact.self, from: Data(#"{"uid":"u2","company_name":"Acme","custom_fields":[]}"#.utf8))
        #expect(flat.companyNames == ["Acme"] && flat.customFields.isEmpty)
        let object = try decoder.decode(SuiteDashContact.self, from: Data(#"{"uid":"u3","company":{"name":"Acme"},"circles":null}"#.utf8))
        #expect(object.companyNames == ["Acme"] && object.circleNames.isEmpty)
    }

    @Test func leadsCarryTheEnquiryInBackgroundInfo() async throws {
        try await withSandbox { server, client in
            _ = try await client.upsertLead(Self.ada, source: "website",
                serviceInterest: "Business Strategy", message: "We need a plan.\nSoon.")
            let info = try #require(server.suiteDash.contacts.first?.fields["background_info"])
            #expect(info.contains("source: website") && info.contains("Business Strategy") && info.contains("We need a plan."))
        }
    }

    @Test func attachTagAddsOnlyWhatIsMissing() async throws {
        try await withSandbox { server, client in
            let uid = try await client.createOrUpdateContact(Self.ada).uid
            #expect(try await client.attachTagOrCategory(uid, ["newsletter", "strategy"]))
            #expect(server.suiteDash.contacts.first?.tags == ["website-lead", "strategy", "newsletter"])
            #expect(try await client.attachTagOrCategory(uid, ["Strategy"]) == false)
        }
    }

    @Test func wrongKeysAreUnauthorized() async throws {
        try await withSandbox { server, _ in
            let wrong = SuiteDashClient(baseURL: server.suiteDashURL, credentials: .init(publicID: "nope", secretKey: "nope"),
                                        httpClient: HTTPClient.shared)
            await #expect(throws: SuiteDashError.unauthorized("Unauthenticated.")) { try await wrong.testConnection() }
        }
    }

    @Test func missingContactIsNilAndInvalidDataIsAValidationError() async throws {
        try await withSandbox { _, client in
            let nobody = try await client.contact("nobody@example.com")
            #expect(nobody == nil)
            await #expect(throws: SuiteDashError.validation(
                "The given data was invalid. (email: The email field is required unless role is Lead.; last_name: The last name field is required.)")) {
                try await client.createContact(SuiteDashContactDraft(firstName: "Bob", role: "Client"))
            }
            await #expect(throws: SuiteDashError.notFound("Contact not found.")) {
                try await client.updateContact("no-such-uid", SuiteDashContactDraft(phone: "+1"))
            }
        }
    }

    @Test func rateLimitsOutagesAndServerErrorsAreTyped() async throws {
        try await withSandbox { server, client in
            server.suiteDash.switches.rateLimitRetryAfter = 17
            await #expect(throws: SuiteDashError.rateLimited(retryAfter: 17)) { try await client.testConnection() }
            server.suiteDash.switches = SandboxSwitches()
            server.suiteDash.switches.outage = true
            await #expect(throws: SuiteDashError.server(status: 503, message: "Service Unavailable")) { try await client.testConnection() }
            server.suiteDash.switches = SandboxSwitches()
            server.suiteDash.switches.failureRate = 1
            await #expect(throws: SuiteDashError.server(status: 500, message: "Server Error")) { try await client.testConnection() }
        }
    }

    @Test func unreachableAndSlowServersAreTransportErrors() async throws {
        let closed = SuiteDashClient(baseURL: "http://127.0.0.1:1/secure-api", credentials: .init(publicID: "a", secretKey: "b"),
                                     httpClient: HTTPClient.shared, timeout: .seconds(2))
        do { try await closed.testConnection(); Issue.record("expected a transport error") }
        catch let error as SuiteDashError { guard case .transport = error else { Issue.record("got \(error)"); return } }

        try await withSandbox { server, _ in
            server.suiteDash.switches.latencyMilliseconds = 1500
            let impatient = SuiteDashClient(baseURL: server.suiteDashURL,
                credentials: .init(publicID: server.suiteDash.publicID, secretKey: server.suiteDash.secretKey),
                httpClient: HTTPClient.shared, timeout: .milliseconds(200))
            do { try await impatient.testConnection(); Issue.record("expected a timeout") }
            catch let error as SuiteDashError { guard case .transport = error else { Issue.record("got \(error)"); return } }
        }
    }

    @Test func listsComeTenAPageWithPaginationMeta() async throws {
        try await withSandbox { server, client in
            for index in 0..<23 {
                _ = try await client.createContact(SuiteDashContactDraft(firstName: "P\(index)", lastName: "Q", email: "p\(index)@example.com",
                                                                         role: "Lead"))
            }
            var request = HTTPClientRequest(url: server.suiteDashURL + "/contacts?page=3")
            request.headers.add(name: "X-Public-ID", value: server.suiteDash.publicID)
            request.headers.add(name: "X-Secret-Key", value: server.suiteDash.secretKey)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 20)
            let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as! [String: Any]
            #expect((json["data"] as? [Any])?.count == 3)
            let pagination = (json["meta"] as? [String: Any])?["pagination"] as? [String: Any]
            #expect(pagination?["totalItems"] as? Int == 23 && pagination?["totalPages"] as? Int == 3)
            // Page links are full URLs, as the real API gives them.
            #expect(pagination?["nextPage"] is NSNull)
            #expect(pagination?["previousPage"] as? String == server.suiteDashURL + "/contacts?page=2")
        }
    }
}
