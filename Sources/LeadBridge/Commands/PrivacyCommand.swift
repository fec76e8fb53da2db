import Foundation
import Vapor

/// `leadbridge privacy find|export|erase --email E --phone P`: a person's data from a terminal,
/// as Admin > A person's data does it. Erase asks first; `--yes` (every command's) answers for you.
struct PrivacyCommand: AsyncCommandGroup {
    let help = "Find, export or erase everything LeadBridge holds about one person (by email or phone)."
    var commands: [String: any AnyAsyncCommand] { ["find": Find(), "export": Export(), "erase": Erase()] }

    struct Who: CommandSignature {
        @Option(name: "email", help: "The person's email address.")
        var email: String?
        @Option(name: "phone", help: "The person's phone number, with its country code (+1 415 555 0177).")
        var phone: String?
        @Flag(name: "phone-linked", help: PrivacyCommand.phoneLinkedHelp)
        var phoneLinked: Bool
        init() {}
    }

    static let phoneLinkedHelp = "Also the calls and texts linked to their enquiries only by the phone number typed into them (a typed number proves nothing: use it when you know the number is theirs)."

    static func person(email: String?, phone: String?, phoneLinked: Bool = false, _ app: Application) throws -> PersonQuery {
        do {
            return try PersonQuery(email: email, phone: phone, includePhoneLinked: phoneLinked,
                                   defaultCountry: app.services.config.intake.defaultCountry)
        } catch let problem as PersonQuery.Problem {
            throw UserCommandError(problem.description + " (--email or --phone)")
        }
    }

    static func data(_ app: Application) -> PersonData {
        PersonData(database: app.db, exportsFolder: app.services.config.suiteDash.exportPath)
    }

    static func summary(_ found: PersonData.Found) -> String {
        var text = "\(found.enquiryIDs.count) enquiry(ies), \(found.allCallIDs.count) call(s), \(found.allTextIDs.count) text(s), "
            + "\(found.logIDs.count) integration log row(s), \(found.exportIDs.count) CSV export(s)"
        let (calls, texts) = found.phoneLinkedLeftOut
        if calls + texts > 0 {
            text += " (left out: \(calls) call(s) and \(texts) text(s) with \(found.phoneLinkedNumbers.joined(separator: ", ")), linked only by the phone number typed into them; --phone-linked includes them)"
        }
        return text
    }

    struct Find: AsyncCommand {
        typealias Signature = Who
        let help = "Say what LeadBridge holds about a person."
        func run(using context: CommandContext, signature: Who) async throws {
            let found = try await PrivacyCommand.data(context.application)
                .find(try PrivacyCommand.person(email: signature.email, phone: signature.phone, phoneLinked: signature.phoneLinked, context.application))
            context.console.print(PrivacyCommand.summary(found) + (found.enquiryIDs.isEmpty ? "." : "; enquiries #" + found.enquiryIDs.map(String.init).joined(separator: ", #") + "."))
        }
    }

    struct Export: AsyncCommand {
        struct Signature: CommandSignature {
            @Option(name: "email", help: "The person's email address.")
            var email: String?
            @Option(name: "phone", help: "The person's phone number, with its country code.")
            var phone: String?
            @Option(name: "output", short: "o", help: "Write the JSON here (default: standard output).")
            var output: String?
            @Flag(name: "phone-linked", help: PrivacyCommand.phoneLinkedHelp)
            var phoneLinked: Bool
        }
        let help = "Write everything LeadBridge holds about a person as one JSON file."
        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            let person = try PrivacyCommand.person(email: signature.email, phone: signature.phone, phoneLinked: signature.phoneLinked, app)
            let found = try await PrivacyCommand.data(app).find(person)
            let document = try await PersonExport.make(person, found: found, doNotText: app.services.speedToLead.doNotText,
                                                       on: app.db, now: app.services.clock.now())
            let data = try document.encoded()
            if let output = signature.output {
                // Personal data: readable by this user only.
                guard FileManager.default.createFile(atPath: output, contents: data, attributes: [.posixPermissions: 0o600]) else {
                    throw UserCommandError("Could not write \(output); check the folder exists and is writable.")
                }
                context.console.success("Wrote \(output): " + PrivacyCommand.summary(found) + ".")
            } else {
                context.console.print(String(decoding: data, as: UTF8.self))
            }
        }
    }

    struct Erase: AsyncCommand {
        struct Signature: CommandSignature {
            @Option(name: "email", help: "The person's email address.")
            var email: String?
            @Option(name: "phone", help: "The person's phone number, with its country code.")
            var phone: String?
            @Flag(name: "phone-linked", help: PrivacyCommand.phoneLinkedHelp)
            var phoneLinked: Bool
            // `--yes` is ConsoleKit's own: it answers the confirmation below.
        }
        let help = "Erase everything LeadBridge holds about a person (SuiteDash and RingCentral keep their own records)."
        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            let person = try PrivacyCommand.person(email: signature.email, phone: signature.phone, phoneLinked: signature.phoneLinked, app)
            let found = try await PrivacyCommand.data(app).find(person)
            guard !found.isEmpty else {
                context.console.print("Nothing is held about that person.")
                return
            }
            context.console.print("Found " + PrivacyCommand.summary(found) + ".")
            guard context.console.confirm("Erase all of it? This cannot be undone.") else {
                context.console.print("Nothing was erased.")
                return
            }
            let erased = try await PrivacyCommand.data(app).erase(person, requestedBy: "leadbridge privacy erase", now: app.services.clock.now())
            context.console.success("Erased \(erased.enquiries) enquiry(ies), \(erased.calls) call(s), \(erased.texts) text(s); emptied \(erased.logRows) log row(s); rewrote \(erased.exports - erased.exportsNotRewritten.count) CSV export(s).")
            if !erased.exportsNotRewritten.isEmpty {
                context.console.warning("Could not rewrite: \(erased.exportsNotRewritten.joined(separator: ", ")). Delete those files by hand.")
            }
            context.console.print("SuiteDash and RingCentral keep their own records: delete the person there too.")
        }
    }
}
