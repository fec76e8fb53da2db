import Foundation

/// The rules for the extra fields of one submission: the form's own fields (required, a listed
/// choice, a real date) and whatever else the website sent, kept under its own name. Nothing
/// is dropped silently: past 20 fields, or 2,000 characters in one, the enquiry is refused with
/// a sentence that says so, and the site's author can fix the form.
struct ExtraFieldRules {
    let fields: [FormField]

    func validate(_ raw: [(name: String, value: String)], errors: inout FieldErrors) -> [ExtraFieldValue] {
        var given: [String: String] = [:]
        var order: [String] = []
        for (name, value) in raw where !FormField.reservedNames.contains(name) {
            if given[name] == nil { order.append(name) }
            // A name posted twice (checkboxes sharing a name) keeps both values.
            given[name] = given[name].map { $0 + ", " + value } ?? value
        }
        var kept: [ExtraFieldValue] = []
        for field in fields {
            let text = clean(given[field.name], multiLine: field.kind == .longText)
            given[field.name] = nil
            switch field.kind {
            case .checkbox:
                let ticked = text.map { ["on", "true", "yes", "1"].contains($0.lowercased()) } ?? false
                if field.required && !ticked { errors[field.name] = "Tick “\(field.label)” to send this form." }
                kept.append(ExtraFieldValue(name: field.name, label: field.label, value: ticked ? "Yes" : "No"))
                continue
            case .choice:
                if let text, !field.options.contains(text) { errors[field.name] = "Choose one of the listed options for “\(field.label)”." }
            case .date:
                if let text, Self.date(text) == nil { errors[field.name] = "Write “\(field.label)” as a date, like 2026-12-31." }
            case .text, .longText:
                break
            }
            if let text {
                if text.count > FormField.maxValueLength { errors[field.name] = Self.tooLong(field.label, text) }
                kept.append(ExtraFieldValue(name: field.name, label: field.label, value: text))
            } else if field.required {
                errors[field.name] = "Fill in “\(field.label)”."
            }
        }
        for name in order where given[name] != nil {
            guard let text = clean(given[name], multiLine: true) else { continue }
            let name = String(TextSanitizer.singleLine(name).prefix(FormField.maxNameLength * 2))
            if text.count > FormField.maxValueLength { errors[name] = Self.tooLong(name, text) }
            kept.append(ExtraFieldValue(name: name, label: name, value: text))
        }
        if kept.count > FormField.maxCount {
            errors["extra"] = "This form sent \(kept.count) extra fields; LeadBridge keeps at most \(FormField.maxCount). Remove some fields from the form."
        }
        return kept
    }

    private func clean(_ value: String?, multiLine: Bool) -> String? {
        guard let value else { return nil }
        let text = multiLine ? TextSanitizer.multiLine(value) : TextSanitizer.singleLine(value)
        return text.isEmpty ? nil : text
    }

    private static func tooLong(_ label: String, _ text: String) -> String {
        "Keep “\(label)” under \(FormField.maxValueLength.formatted()) characters (it has \(text.count.formatted()))."
    }

    static func date(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        guard text.count == 10, let date = formatter.date(from: text) else { return nil }
        return date
    }
}
