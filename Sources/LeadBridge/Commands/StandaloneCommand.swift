import Vapor

/// A command that needs none of the app (no APP_KEY, no database): `configure` registers
/// nothing else when one of these is what the process was started with. The tools target
/// (`sandbox`) and `key generate` are such commands.
public protocol StandaloneCommand: AnyAsyncCommand {}

extension Application {
    /// True when this process runs a standalone command registered before `configure`.
    var runsStandaloneCommand: Bool {
        guard let name = commandName else { return false }
        return name == "key" || asyncCommands.commands[name] is any StandaloneCommand
    }
}
