import Fluent
import Foundation
import Vapor

/// `leadbridge user create`: adds an admin from a terminal, interactively or from a script.
struct UserCommand: AsyncCommandGroup {
    let help = "Manage admin users."
    var commands: [String: any AnyAsyncCommand] { ["create": CreateUser()] }

    struct CreateUser: AsyncCommand {
        struct Signature: CommandSignature {
            @Option(name: "email", help: "The admin's email address (asked for when absent).")
            var email: String?
            @Option(name: "name", help: "The admin's name, shown in the admin.")
            var name: String?
            @Flag(name: "password-stdin", help: "Read the password from standard input instead of asking for it.")
            var passwordStdin: Bool
        }
        let help = "Create an admin user."

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            let console = context.console
            let email = signature.email ?? console.ask("Email:")
            let password: String
            let confirmation: String?
            if signature.passwordStdin {
                password = (readLine(strippingNewline: true) ?? "")
                confirmation = nil
            } else {
                password = console.ask("Password (at least \(String(AdminAccountRules.minimumPasswordLength)) characters):", isSecure: true)
                confirmation = console.ask("Password again:", isSecure: true)
            }

            switch AdminAccountRules.validate(email: email, password: password, confirmation: confirmation) {
            case .invalid(let errors):
                throw UserCommandError(errors.sorted { $0.key < $1.key }.map { $0.value }.joined(separator: " "))
            case .valid(let normalised):
                if try await User.query(on: app.db).filter(\.$email == normalised).first() != nil {
                    throw UserCommandError("An admin with the email \(normalised) already exists.")
                }
                let user = User(email: normalised, name: signature.name, passwordHash: try await app.password.async.hash(password))
                try await user.create(on: app.db)
                console.success("Created admin \(normalised). Sign in at \(app.services.config.appURL)/admin/login")
            }
        }
    }
}

struct UserCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
