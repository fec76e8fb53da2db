import Fluent
import Foundation

/// One enquiry from the contact form or the JSON intake endpoint.
final class Enquiry: Model, @unchecked Sendable {
    static let schema = "contact_submissions"

    @ID(custom: Column.id.key, generatedBy: .database) var id: Int?
    @Field(key: Column.firstName.key) var firstName: String
    @OptionalField(key: Column.lastName.key) var lastName: String?
    @OptionalField(key: Column.email.key) var email: String?
    /// Always E.164 (`+` and digits) when present.
    @OptionalField(key: Column.phone.key) var phone: String?
    @OptionalField(key: Column.company.key) var company: String?
    @OptionalField(key: Column.serviceInterest.key) var serviceInterest: String?
    @OptionalField(key: Column.message.key) var message: String?
    @Field(key: Column.source.key) var source: String
    @Field(key: Column.consent.key) var consent: Bool
    @OptionalField(key: Column.consentAt.key) var consentAt: Date?
    /// The words the visitor agreed to, as they saw them (the form's label then, or their site's).
    @OptionalField(key: Column.consentText.key) var consentText: String?
    /// The separate texting consent (issue #33): only a lead who ticked it gets an instant reply.
    @Field(key: Column.smsConsent.key) var smsConsent: Bool
    @OptionalField(key: Column.smsConsentAt.key) var smsConsentAt: Date?
    /// The texting consent's words as the visitor saw them.
    @OptionalField(key: Column.smsConsentText.key) var smsConsentText: String?
    @OptionalField(key: Column.ip.key) var ip: String?
    @OptionalField(key: Column.userAgent.key) var userAgent: String?
    @Field(key: Column.status.key) var status: EnquiryStatus
    /// The CRM's id for this person once synced (SuiteDash's contact `uid`).
    @OptionalField(key: Column.externalID.key) var externalID: String?
    @OptionalField(key: Column.syncedAt.key) var syncedAt: Date?
    @OptionalField(key: Column.exportedAt.key) var exportedAt: Date?
    /// The import-mode CSV export this enquiry went out in.
    @OptionalField(key: Column.exportID.key) var exportID: Int?
    /// Why the last CRM sync failed, in the provider's words.
    @OptionalField(key: Column.syncError.key) var syncError: String?
    /// When a person first called or texted its phone (automatic texts do not count), and how
    /// many seconds after the enquiry that was; nil while nobody has.
    @OptionalField(key: Column.firstContactAt.key) var firstContactAt: Date?
    @OptionalField(key: Column.firstContactSeconds.key) var firstContactSeconds: Int?
    /// The form it came through (`forms.id`); nil only for a form since deleted.
    @OptionalField(key: Column.formID.key) var formID: Int?
    /// JSON: `[ExtraFieldValue]`, in the order the form sent them.
    @OptionalField(key: Column.extraFields.key) var extraFieldsJSON: String?
    /// JSON: the last touch, when it differed from the first (the columns below).
    @OptionalField(key: Column.lastTouch.key) var lastTouchJSON: String?
    @OptionalField(key: Column.channel.key) var channel: String?
    @OptionalField(key: Column.utmSource.key) var utmSource: String?
    @OptionalField(key: Column.utmMedium.key) var utmMedium: String?
    @OptionalField(key: Column.utmCampaign.key) var utmCampaign: String?
    @OptionalField(key: Column.utmTerm.key) var utmTerm: String?
    @OptionalField(key: Column.utmContent.key) var utmContent: String?
    @OptionalField(key: Column.gclid.key) var gclid: String?
    @OptionalField(key: Column.fbclid.key) var fbclid: String?
    @OptionalField(key: Column.msclkid.key) var msclkid: String?
    @OptionalField(key: Column.referrer.key) var referrer: String?
    @OptionalField(key: Column.landingPage.key) var landingPage: String?
    /// Why it was judged spam, in a sentence ("the hidden field bots fill in was filled").
    @OptionalField(key: Column.spamReason.key) var spamReason: String?
    @Timestamp(key: Column.createdAt.key, on: .create) var createdAt: Date?
    @Timestamp(key: Column.updatedAt.key, on: .update) var updatedAt: Date?

    /// Texting consent is no until given: rows made in code (the demo, imports) never text unasked.
    init() { smsConsent = false }

    var extraFields: [ExtraFieldValue] { ExtraFieldValue.decode(extraFieldsJSON) }

    /// The first touch, from its columns.
    var attribution: Attribution {
        var value = Attribution()
        value[.utmSource] = utmSource; value[.utmMedium] = utmMedium; value[.utmCampaign] = utmCampaign
        value[.utmTerm] = utmTerm; value[.utmContent] = utmContent
        value[.gclid] = gclid; value[.fbclid] = fbclid; value[.msclkid] = msclkid
        value[.referrer] = referrer; value[.landingPage] = landingPage
        return value
    }

    var lastTouch: Attribution { Attribution.fromJSON(lastTouchJSON) }

    var fullName: String {
        [firstName, lastName ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
    }
}

enum EnquiryStatus: String, Codable, CaseIterable, Sendable {
    case pending, synced, exported, failed
    /// Judged spam (`spam_reason` says why): kept for review, never synced, exported, alerted or texted.
    case spam
}

extension Enquiry {
    /// Every column of `contact_submissions`, named once: the model's fields, the writer's
    /// multi-row INSERT and the export's RETURNING list all take their names from here.
    enum Column: String, CaseIterable, Sendable {
        case id,
        firstName = "first_name",
        lastName = "last_name",
        email,
        phone,
        company,
        serviceInterest = "service_interest",
        message,
        source,
        consent,
        consentAt = "consent_at",
        consentText = "consent_text",
        smsConsent = "sms_consent",
        smsConsentAt = "sms_consent_at",
        smsConsentText = "sms_consent_text",
        ip,
        /// `ClientAddress.senderNetwork` of `ip`, which the per-address sync allowance counts by (038).
        ipNetwork = "ip_network",
        /// The peer that sent it with forwarding headers LeadBridge did not trust (038).
        forwardedBy = "forwarded_by",
        userAgent = "user_agent",
        status,
        externalID = "external_id",
        syncedAt = "synced_at",
        exportedAt = "exported_at",
        exportID = "export_id",
        syncError = "sync_error",
        firstContactAt = "first_contact_at",
        firstContactSeconds = "first_contact_seconds",
        formID = "form_id",
        extraFields = "extra_fields",
        lastTouch = "last_touch",
        channel,
        utmSource = "utm_source",
        utmMedium = "utm_medium",
        utmCampaign = "utm_campaign",
        utmTerm = "utm_term",
        utmContent = "utm_content",
        gclid,
        fbclid,
        msclkid,
        referrer,
        landingPage = "landing_page",
        spamReason = "spam_reason",
        createdAt = "created_at",
        updatedAt = "updated_at"

        // As a literal would: "id" is Fluent's own `.id` key.
        var key: FieldKey { FieldKey(stringLiteral: rawValue) }
    }
}
