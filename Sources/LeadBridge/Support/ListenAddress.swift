import Vapor

/// The address `serve` listens on, and whether only this machine can reach it.
enum ListenAddress {
    /// `serve --hostname`/`-H` or `--bind`/`-b` when given (they win over `HOST`), else the
    /// server's configured host (`HOST`; once the server has started, the one it started on).
    /// A Unix socket is this machine's. Tests pass no `serve` options, so theirs is `HOST`.
    static func host(_ app: Application) -> String {
        if app.environment != .testing, let given = fromArguments(Array(app.environment.arguments.dropFirst())) { return given }
        switch app.http.server.configuration.address {
        case .hostname(let hostname, _): return hostname ?? app.http.server.configuration.hostname
        case .unixDomainSocket: return "localhost"
        }
    }

    static func fromArguments(_ arguments: [String]) -> String? {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let value = index + 1 < arguments.count ? arguments[index + 1] : nil
            switch argument {
            case "--hostname", "-H": if let value { return value }
            case "--bind", "-b":
                if let value { return value.hasPrefix("[") ? String(value.dropFirst().prefix { $0 != "]" }) : String(value.split(separator: ":").first ?? "") }
            case "--unix-socket": return "localhost"
            default:
                if argument.hasPrefix("--hostname=") { return String(argument.dropFirst("--hostname=".count)) }
            }
            index += 1
        }
        return nil
    }

    /// True for `localhost` and loopback addresses (127.0.0.0/8, ::1); false for every other
    /// name and address, `0.0.0.0` and `::` (every interface) among them.
    static func isThisMachineOnly(_ host: String) -> Bool {
        let name = host.lowercased()
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        return IPAddress(name)?.isLoopback ?? false
    }
}
