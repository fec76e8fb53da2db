import Fluent
import RingCentralKit
import Vapor

/// Call and Send SMS from an enquiry's page (RingCentral).
struct EnquiryPhoneController {
    struct CallForm: Content { var to: String?; var from: String? }
    struct SMSForm: Content {
        var to: String?; var from: String?; var text: String?
        /// The person ticked "Send anyway" for a number that texted STOP.
        var override_opt_out: String?
    }

    /// "Call": starts a RingOut (your phone rings first, then the lead's).
    @Sendable func call(req: Request) async throws -> Response {
        let enquiry = try await Self.enquiry(req)
        let form = try req.content.decode(CallForm.self)
        let id = try enquiry.requireID()
        do {
            let ringOut = try await req.services.ringCentral.phone.initiateCall(
                toNumber: form.to ?? enquiry.phone ?? "", fromNumber: form.from, user: try req.auth.require(User.self), enquiryID: id)
            return req.redirect(to: AdminURL.enquiry(.value(id)).path + "?ringout=\(Self.escape(ringOut.id))#phone")
        } catch {
            return try await Self.refused(req, id, error, smsText: nil)
        }
    }

    /// The RingOut's status as JSON, for the page's poller.
    @Sendable func ringOutStatus(req: Request) async throws -> Response {
        let enquiry = try await Self.enquiry(req)
        guard let ringOutID = req.parameters.get("ringout"), RingOutID.isValid(ringOutID) else {
            throw Abort(.badRequest, reason: "That is not a RingOut id.")
        }
        do {
            let ringOut = try await req.services.ringCentral.phone.ringOutStatus(id: ringOutID, enquiryID: enquiry.id)
            struct Status: Content { let id: String; let text: String; let final: Bool; let callStatus: String? }
            return try await Status(id: ringOut.id, text: RingOutStatusText.describe(ringOut), final: ringOut.isFinal,
                                    callStatus: ringOut.status?.callStatus).encodeResponse(for: req)
        } catch RingCentralError.request(404, _, _, _) {
            throw Abort(.notFound, reason: "RingCentral no longer knows this call (it ended or was cancelled).")
        } catch let error as RingCentralError {
            throw Abort(.badGateway, reason: error.description)
        } catch let error as AbortError {
            throw error
        } catch {
            throw Abort(.conflict, reason: Self.explain(error, req))
        }
    }

    @Sendable func cancelRingOut(req: Request) async throws -> Response {
        let enquiry = try await Self.enquiry(req)
        let id = try enquiry.requireID()
        guard let ringOutID = req.parameters.get("ringout"), RingOutID.isValid(ringOutID) else {
            throw Abort(.badRequest, reason: "That is not a RingOut id.")
        }
        do {
            try await req.services.ringCentral.phone.cancelRingOut(id: ringOutID, enquiryID: id)
            return Self.back(req, id, "Call cancelled.")
        } catch {
            return try await Self.refused(req, id, error, smsText: nil)
        }
    }

    @Sendable func sendSMS(req: Request) async throws -> Response {
        let enquiry = try await Self.enquiry(req)
        let id = try enquiry.requireID()
        let form = try req.content.decode(SMSForm.self)
        do {
            let message = try await req.services.ringCentral.phone.sendSMS(
                toNumber: form.to ?? enquiry.phone ?? "", message: form.text ?? "", fromNumber: form.from,
                user: try req.auth.require(User.self), enquiryID: id, overrideOptOut: form.override_opt_out == "1")
            if let error = message.error { return Self.back(req, id, "The text was not sent: " + error) }
            return Self.back(req, id, "Text sent (\(message.status)).")
        } catch RingCentralMessaging.Failure.optedOut(let date) {
            var refusal = EnquiriesController.Refusal(status: .conflict, reason: RingCentralMessaging.Failure.optedOut(date).description,
                                                      smsText: form.text)
            refusal.optedOut = (PhoneNumber.e164(form.to ?? "") ?? enquiry.phone ?? "", date)
            return try await EnquiriesController.page(req, id: id, notice: nil, refusal: refusal)
        } catch {
            return try await Self.refused(req, id, error, smsText: form.text)
        }
    }

    private static func explain(_ error: any Error, _ req: Request) -> String {
        switch error {
        case let failure as RingCentralMessaging.Failure: return failure.description
        case let failure as RingCentralError: return RingCentralMessaging.explain(failure)
        case let failure as RingCentralServiceError: return failure.description
        default:
            req.logger.error("Call or SMS failed", metadata: ["error": .string(String(describing: error))])
            return "That did not work because of a problem on this server; it is in the server log. Try again, or tell whoever runs LeadBridge."
        }
    }

    /// A refusal answers with the enquiry's page and the reason, under a status that says whose
    /// it is: 422 for what was typed (a number that is not E.164, a text too long), 409 when
    /// RingCentral is not connected or needs re-authorisation, 502 when RingCentral refused.
    private static func refused(_ req: Request, _ id: Int, _ error: any Error, smsText: String?) async throws -> Response {
        let status: HTTPStatus
        switch error {
        case RingCentralMessaging.Failure.notConnected, RingCentralMessaging.Failure.noOfficePhone,
             RingCentralMessaging.Failure.noSMSNumber, RingCentralMessaging.Failure.optedOut: status = .conflict
        case is RingCentralMessaging.Failure: status = .unprocessableEntity
        case is RingCentralServiceError: status = .conflict
        case is RingCentralError: status = .badGateway
        default: status = .internalServerError
        }
        return try await EnquiriesController.page(req, id: id, notice: nil,
                                                  refusal: .init(status: status, reason: explain(error, req), smsText: smsText))
    }

    private static func enquiry(_ req: Request) async throws -> Enquiry {
        guard let id = req.parameters.get("id", as: Int.self), let enquiry = try await Enquiry.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no enquiry with that number; it may have been deleted.")
        }
        return enquiry
    }

    private static func back(_ req: Request, _ id: Int, _ notice: String) -> Response {
        req.redirect(to: AdminURL.enquiry(.value(id)).path, notice: notice, fragment: "phone")
    }

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }
}

/// RingCentral's RingOut ids: letters, digits and dashes. Anything else never reaches a URL or a page.
enum RingOutID {
    static func isValid(_ text: String) -> Bool {
        (1...64).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}
