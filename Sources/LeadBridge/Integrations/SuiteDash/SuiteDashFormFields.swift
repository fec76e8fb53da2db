import Foundation

/// What a form adds to the SuiteDash contact: its tags, its extra fields mapped to custom
/// fields (Admin > Forms), and, in the background info, each extra field and where the lead
/// came from, so nothing a form sent is left behind in LeadBridge only.
enum SuiteDashFormFields {
    static func tags(_ base: [String], form: WebForm?) -> [String] {
        var tags = base
        for tag in form?.tags ?? [] where !tags.contains(tag) { tags.append(tag) }
        return tags
    }

    static func customFields(_ base: [String: String], enquiry: Enquiry, form: WebForm?) -> [String: String] {
        guard let map = form?.fieldMap, !map.isEmpty else { return base }
        var values = base
        for extra in enquiry.extraFields {
            if let key = map[extra.name] { values[key] = extra.value }
        }
        return values
    }

    static func noteLines(_ enquiry: Enquiry, form: WebForm?) -> [String] {
        var lines = enquiry.extraFields.map { "\($0.label): \($0.value)" }
        let attribution = enquiry.attribution
        if !attribution.isEmpty {
            lines.append("Came from: \(enquiry.channel ?? attribution.channel)"
                + Attribution.Key.allCases.filter { !$0.isAddress }.compactMap { key in attribution[key].map { "; \(key.label) \($0)" } }.joined())
            if let landing = attribution[.landingPage] { lines.append("Landing page: \(landing)") }
        }
        if let form, form.slug != WebForm.contactSlug { lines.insert("Form: \(form.name)", at: 0) }
        return lines
    }
}
