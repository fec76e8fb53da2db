/// What an admin account needs: a deliverable email and a password long enough to resist guessing.
enum AdminAccountRules {
    static let minimumPasswordLength = 12
    /// What bcrypt reads of a password.
    static let maximumPasswordBytes = 72

    /// The normalised email, or a sentence per field.
    static func validate(email: String?, password: String?, confirmation: String?) -> Validated<String> {
        var errors = FieldErrors()
        let normalised = email.flatMap(EmailAddress.normalize)
        if normalised == nil { errors["email"] = "Enter the email address you will sign in with." }
        let password = password ?? ""
        if password.count < minimumPasswordLength {
            errors["password"] = "Use at least \(minimumPasswordLength) characters; a few random words work well."
        } else if password.utf8.count > maximumPasswordBytes {
            // bcrypt reads only the first 72 bytes: the rest would silently stop mattering.
            // Bytes, not characters: an accented letter takes 2, an emoji 4.
            errors["password"] = "Use at most \(maximumPasswordBytes) bytes (\(maximumPasswordBytes) plain letters; accented letters and emoji take more than one): longer passwords are cut short by bcrypt."
        } else if let confirmation, confirmation != password {
            errors["password_confirmation"] = "The two passwords don't match."
        }
        guard errors.isEmpty, let normalised else { return .invalid(errors) }
        return .valid(normalised)
    }
}
