import Foundation

/// The email a lead gets when their enquiry arrives: off by default, the admin's words with
/// `{first_name}`, `{company}` and `{business_name}` filled in as texts fill them (a visitor's
/// value plain, without links, short), and the business's address and contact in the footer.
enum AcknowledgementEmail {
    static let defaultBody = "Hello {first_name},\n\nThank you for getting in touch. We have your enquiry and will reply soon.\n\n{business_name}"

    /// Statuses whose enquiries get no acknowledgement: spam must not make the business write
    /// to whatever address a spammer typed. The one place the spam folder is wired in.
    static func isWithheld(_ enquiry: Enquiry) -> Bool {
        enquiry.status == .spam
    }

    static func render(subject: String, body: String, footer: String, businessName: String, enquiry: Enquiry) -> StaffEmail.Content {
        let filled = fill(body, enquiry: enquiry, businessName: businessName)
        let footerText = EmailWords.paragraphs(footer)
        let text = filled + (footerText.isEmpty ? "" : "\n\n--\n" + footerText) + "\n"
        var html = "<p>\(EmailWords.html(filled).replacingOccurrences(of: "<br>\n<br>\n", with: "</p>\n<p>"))</p>\n"
        if !footerText.isEmpty {
            html += "<hr style=\"border: 0; border-top: 1px solid #d9e2ec;\">\n<p style=\"color: #52606d; font-size: 0.9em;\">\(EmailWords.html(footerText))</p>\n"
        }
        return StaffEmail.Content(subject: fill(subject, enquiry: enquiry, businessName: businessName), text: text, html: EmailWords.page(html))
    }

    /// The placeholders filled as in texts: a lead's own value is never read for placeholders.
    static func fill(_ template: String, enquiry: Enquiry, businessName: String) -> String {
        TextTemplate(text: template).filled(firstName: enquiry.firstName, company: enquiry.company, businessName: businessName)
    }
}

extension AcknowledgementEmail {
    /// The first `{…}` that is not a placeholder LeadBridge fills in, else nil.
    static func unknownPlaceholder(in template: String) -> String? {
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { return String(rest[open...].prefix(30)) }
            let name = String(rest[rest.index(after: open)..<close])
            if TextTemplate.Placeholder(rawValue: name) == nil { return "{\(name)}" }
            rest = rest[rest.index(after: close)...]
        }
        return nil
    }
}
