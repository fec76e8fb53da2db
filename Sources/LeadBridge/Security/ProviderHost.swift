import Foundation
import Vapor

/// Where a provider's keys and requests may go in production. SuiteDash's and RingCentral's
/// base addresses can be set by an environment variable or typed into the admin, and whatever
/// is there receives the keys and gets its answers shown in Admin > Logs: pointed at this
/// machine, a private network or a cloud's metadata service (169.254.169.254), a stolen admin
/// session could make LeadBridge call internal services for it. So in production such an
/// address is refused, with a sentence, unless `ALLOW_PRIVATE_PROVIDER_HOSTS=true` says the
/// provider (a proxy of your own, say) really is there. Tests, demos and benchmarks run in
/// other environments against a loopback sandbox.
///
/// The check reads the address as written: a literal IP (also IPv4's shorthand forms, which
/// the resolver accepts), or `localhost`. A public name that resolves to a private address is
/// not looked up here.
enum ProviderHost {
    /// Whether this app refuses private provider addresses: production, unless allowed.
    static func isEnforced(_ config: AppConfig, _ environment: Environment) -> Bool {
        !config.allowPrivateProviderHosts && (config.refusesPrivateProviderHosts ?? (environment == .production))
    }

    /// The same, for a request's app.
    static func isEnforced(_ app: Application) -> Bool {
        isEnforced(app.services.config, app.environment)
    }

    /// What is wrong with `url`'s host (a phrase like "a private network address"), or nil
    /// when it may be used.
    static func problem(_ url: String) -> String? {
        guard let host = URL(string: url)?.host?.lowercased(), !host.isEmpty else { return nil }
        let name = host.hasSuffix(".") ? String(host.dropLast()) : host
        if name == "localhost" || name.hasSuffix(".localhost") { return "this machine (localhost)" }
        guard let address = IPAddress(host: name) else { return nil }
        if address.isLoopback { return "this machine (a loopback address)" }
        if address.isUnspecified { return "this machine (an unspecified address)" }
        if address.isLinkLocal { return "a link-local address (where clouds keep their metadata service)" }
        if address.isPrivate { return "a private network address" }
        return nil
    }

    /// The sentence for an environment variable that names such an address.
    static func startUpRefusal(variable: String, url: String, problem: String) -> String {
        "\(variable)=\(url) points at \(problem). In production LeadBridge sends provider keys only to public addresses: use the provider's public https address, or set ALLOW_PRIVATE_PROVIDER_HOSTS=true if the provider really is there (a proxy of your own)."
    }

    /// The sentence for an admin form's field.
    static func formRefusal(problem: String) -> String {
        "That address is \(problem). LeadBridge sends the keys only to public addresses in production; enter the provider's public https address (the operator can allow private ones with ALLOW_PRIVATE_PROVIDER_HOSTS=true)."
    }

    /// Stops start-up when the environment names such an address (and the address is not the
    /// one `leadbridge demo` fixes to its own stand-in).
    static func checkEnvironment(_ config: AppConfig, _ environment: Environment) throws {
        guard isEnforced(config, environment) else { return }
        var named: [(String, String)] = []
        if !config.suiteDash.apiURLIsFixed { named.append(("SUITEDASH_API_URL", config.suiteDash.apiURL)) }
        if !config.ringCentral.serverURLIsFixed { named.append(("RINGCENTRAL_SERVER_URL", config.ringCentral.serverURL)) }
        // A form's captcha secret goes to siteverify: the same rule (the demo's stand-in aside).
        if !config.isDemo {
            named += config.intake.captcha.secretDestinations.filter { !$0.isDefault }.map { ($0.variable, $0.url) }
        }
        // The secret and the verdict travel to siteverify: never over plain http in production.
        for (variable, url, isDefault) in config.intake.captcha.secretDestinations where !isDefault && !config.isDemo {
            if URL(string: url)?.scheme?.lowercased() != "https" {
                throw ConfigurationError.invalid("\(variable)=\(url) is not an https address. In production a form's captcha secret goes only over https: use the provider's https address, or remove \(variable) to use the default.")
            }
        }
        for (variable, url) in named {
            if let problem = problem(url) {
                throw ConfigurationError.invalid(startUpRefusal(variable: variable, url: url, problem: problem))
            }
        }
    }
}
