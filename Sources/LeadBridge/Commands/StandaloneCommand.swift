import Vapor

/// A command that needs none of the app (no APP_KEY, no database): `configure` registers
/// nothing else when one of these is what the process was started with. The tools target
/// (`sandbox`) and `key generate` are such commands; `key rotate` is not.
public protocol StandaloneCommand: AnyAsyncCommand {}

extension Application {
    /// True when this process runs a standalone command registered before `configure`.
    var runsStandaloneCommand: Bool {
        guard let name = commandName else { return false }
        // `key rotate` re-seals stored secrets: it needs the whole app.
        if name == "key" { return environment.arguments.dropFirst(2).first != "rotate" }
        return asyncCommands.commands[name] is any StandaloneCommand
    }
}
