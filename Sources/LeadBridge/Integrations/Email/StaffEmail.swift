import Foundation
import MailKit

/// The words of a staff email: one enquiry in full, a minute's summary, or the day's digest.
/// Every value a visitor typed is plain text without links (`EmailWords`); the one link is
/// LeadBridge's own, to the enquiry in the admin.
enum StaffEmail {
    struct Content {
        let subject: String
        let text: String
        let html: String
    }

    /// `formName`: the form it came through, when that is not the contact page's.
    static func single(_ enquiry: Enquiry, appURL: String, formName: String? = nil) -> Content {
        let link = EmailWords.base(appURL) + AdminURL.enquiry(.value(enquiry.id ?? 0)).path
        var subject = "New enquiry: " + EmailWords.line(enquiry.fullName, limit: 60)
        if let interest = enquiry.serviceInterest, !interest.isEmpty { subject += " (" + EmailWords.line(interest, limit: 60) + ")" }
        var fields = Self.fields(enquiry)
        if let formName { fields.insert(("Form", EmailWords.line(formName, limit: 120)), at: 0) }
        // The form's own fields, then where the lead came from: as the enquiry's page lists them.
        fields += enquiry.extraFields.map { (EmailWords.line($0.label, limit: 120), EmailWords.line($0.value, limit: 500)) }
        fields += enquiry.attribution.rows.map { ($0.label, EmailWords.line($0.value, limit: 500)) }
        let message = EmailWords.paragraphs(enquiry.message)
        var text = "A new enquiry arrived.\n\n"
        text += fields.map { "\($0.0): \($0.1)" }.joined(separator: "\n")
        if !message.isEmpty { text += "\n\nMessage:\n" + message }
        text += "\n\nOpen it in LeadBridge: " + link + "\n"
        if enquiry.email != nil { text += "Replying to this email writes to the lead.\n" }
        var html = "<p>A new enquiry arrived.</p>\n<table style=\"border-collapse: collapse;\">\n"
        for (name, value) in fields {
            html += "<tr><th style=\"text-align: left; padding: 2px 12px 2px 0; vertical-align: top;\">\(EmailWords.html(name))</th><td>\(EmailWords.html(value))</td></tr>\n"
        }
        html += "</table>\n"
        if !message.isEmpty { html += "<p><strong>Message</strong></p>\n<p>\(EmailWords.html(message))</p>\n" }
        html += "<p><a href=\"\(EmailWords.html(link))\">Open the enquiry in LeadBridge</a></p>\n"
        if enquiry.email != nil { html += "<p style=\"color: #52606d;\">Replying to this email writes to the lead.</p>\n" }
        return Content(subject: subject, text: text, html: EmailWords.page(html))
    }

    /// The enquiries in the minute after an alert, or in a day: the first fifty by name, then a count.
    static func listing(_ enquiries: [Enquiry], subject: String, opening: String, appURL: String) -> Content {
        let base = EmailWords.base(appURL)
        let listed = enquiries.prefix(50)
        var text = opening + "\n\n"
        var html = "<p>\(EmailWords.html(opening))</p>\n<ul>\n"
        for enquiry in listed {
            let link = base + AdminURL.enquiry(.value(enquiry.id ?? 0)).path
            let about = [enquiry.serviceInterest, enquiry.company].compactMap { $0 }.filter { !$0.isEmpty }.map { EmailWords.line($0, limit: 60) }
            let line = EmailWords.line(enquiry.fullName, limit: 60) + (about.isEmpty ? "" : " (" + about.joined(separator: ", ") + ")")
            text += "- " + line + ": " + link + "\n"
            html += "<li><a href=\"\(EmailWords.html(link))\">\(EmailWords.html(line))</a></li>\n"
        }
        if enquiries.count > listed.count {
            text += "- and \(enquiries.count - listed.count) more\n"
            html += "<li>and \(enquiries.count - listed.count) more</li>\n"
        }
        html += "</ul>\n<p><a href=\"\(EmailWords.html(base + AdminURL.enquiries.path))\">All enquiries</a></p>\n"
        text += "\nAll enquiries: " + base + AdminURL.enquiries.path + "\n"
        return Content(subject: subject, text: text, html: EmailWords.page(html))
    }

    static func summary(_ enquiries: [Enquiry], appURL: String) -> Content {
        let count = enquiries.count
        return listing(enquiries, subject: "\(count) more new \(count == 1 ? "enquiry" : "enquiries") in the last minute",
                       opening: "These \(count == 1 ? "enquiry" : "\(count) enquiries") arrived within a minute of the last staff email:", appURL: appURL)
    }

    static func digest(_ enquiries: [Enquiry], day: String, appURL: String) -> Content {
        let count = enquiries.count
        return listing(enquiries, subject: "\(count) new \(count == 1 ? "enquiry" : "enquiries") since yesterday's digest (\(day))",
                       opening: count == 0 ? "No new enquiries arrived since the last digest." : "The enquiries that arrived since the last digest:", appURL: appURL)
    }

    /// The enquiry's fields as staff read them; what a visitor typed, plain.
    static func fields(_ enquiry: Enquiry) -> [(String, String)] {
        var fields: [(String, String)] = [("Name", EmailWords.line(enquiry.fullName, limit: 120))]
        if let email = enquiry.email { fields.append(("Email", email)) }
        if let phone = enquiry.phone { fields.append(("Phone", phone)) }
        if let company = enquiry.company, !company.isEmpty { fields.append(("Company", EmailWords.line(company, limit: 120))) }
        if let interest = enquiry.serviceInterest, !interest.isEmpty { fields.append(("Interest", EmailWords.line(interest, limit: 120))) }
        fields.append(("Source", EmailWords.line(enquiry.source, limit: 120)))
        fields.append(("Consent to contact", enquiry.consent ? "yes" : "no"))
        fields.append(("Received", AdminDate.format(enquiry.createdAt)))
        return fields
    }
}
