import Foundation
import Vapor

/// A challenge a form can put in front of a visitor (issue #31): Cloudflare Turnstile or
/// hCaptcha. Both work alike (docs/providers.md, "Captcha"): a script on the page renders a
/// widget into an element with the site key, the widget puts a one-use token into the form,
/// and the server posts `secret`, `response` and `remoteip` to the provider's `siteverify`
/// and reads `success` and `error-codes` from the JSON answer.
enum CaptchaProvider: String, Codable, CaseIterable, Sendable {
    case turnstile
    case hcaptcha

    var displayName: String {
        switch self {
        case .turnstile: "Cloudflare Turnstile"
        case .hcaptcha: "hCaptcha"
        }
    }

    /// The element class the provider's script renders its widget into (implicit rendering).
    var widgetClass: String {
        switch self {
        case .turnstile: "cf-turnstile"
        case .hcaptcha: "h-captcha"
        }
    }

    /// The form field the widget fills with its token.
    var responseField: String {
        switch self {
        case .turnstile: "cf-turnstile-response"
        case .hcaptcha: "h-captcha-response"
        }
    }

    /// The widget's script, from the provider (or the sandbox's stand-in when configured so).
    func scriptURL(_ settings: CaptchaSettings) -> String {
        switch self {
        case .turnstile: settings.turnstileURL + "/turnstile/v0/api.js"
        case .hcaptcha: settings.hcaptchaScriptURL + "/1/api.js"
        }
    }

    func verifyURL(_ settings: CaptchaSettings) -> String {
        switch self {
        case .turnstile: settings.turnstileURL + "/turnstile/v0/siteverify"
        case .hcaptcha: settings.hcaptchaVerifyURL + "/siteverify"
        }
    }

    /// What a page showing the widget must allow, per the providers' CSP pages: Turnstile
    /// loads its script and its frame from challenges.cloudflare.com; hCaptcha its script,
    /// frame, styles and calls from hcaptcha.com and its subdomains.
    func contentSecurityOrigins(_ settings: CaptchaSettings) -> CaptchaSources {
        switch self {
        case .turnstile:
            let origin = Self.origin(of: settings.turnstileURL)
            return CaptchaSources(script: [origin], frame: [origin], style: [], connect: [])
        case .hcaptcha:
            let script = Self.origin(of: settings.hcaptchaScriptURL)
            if script == "https://js.hcaptcha.com" {
                let all = ["https://hcaptcha.com", "https://*.hcaptcha.com"]
                return CaptchaSources(script: all, frame: all, style: all, connect: all)
            }
            return CaptchaSources(script: [script], frame: [script], style: [script], connect: [script])
        }
    }

    /// `scheme://host[:port]` of a URL, as CSP source lists want it.
    static func origin(of url: String) -> String {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme, let host = parts.host else { return url }
        return parts.port.map { "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
    }
}

/// The sources a captcha adds to a page's Content-Security-Policy, per directive.
struct CaptchaSources: Sendable, Equatable {
    var script: [String]
    var frame: [String]
    var style: [String]
    var connect: [String]
}

/// Where the captcha providers are: their public addresses unless the sandbox stands in.
public struct CaptchaSettings: Sendable {
    /// `TURNSTILE_URL`: Cloudflare serves Turnstile's script and siteverify from one host.
    public var turnstileURL: String
    /// `HCAPTCHA_JS_URL`: where hCaptcha's widget script (`/1/api.js`) is served.
    public var hcaptchaScriptURL: String
    /// `HCAPTCHA_API_URL`: where hCaptcha's `siteverify` is.
    public var hcaptchaVerifyURL: String
    /// How long a verification may take before the enquiry is kept as "captcha not checked".
    public var timeoutSeconds: Int

    static let defaultTurnstileURL = "https://challenges.cloudflare.com"
    static let defaultHCaptchaScriptURL = "https://js.hcaptcha.com"
    static let defaultHCaptchaVerifyURL = "https://api.hcaptcha.com"

    init(_ reader: EnvironmentReader) throws {
        func base(_ name: String, _ fallback: String) -> String {
            var url = reader.string(name) ?? fallback
            while url.hasSuffix("/") { url.removeLast() }
            return url
        }
        turnstileURL = base("TURNSTILE_URL", Self.defaultTurnstileURL)
        hcaptchaScriptURL = base("HCAPTCHA_JS_URL", Self.defaultHCaptchaScriptURL)
        hcaptchaVerifyURL = base("HCAPTCHA_API_URL", Self.defaultHCaptchaVerifyURL)
        timeoutSeconds = max(1, try reader.int("CAPTCHA_TIMEOUT_SECONDS") ?? 5)
    }

    /// Every address the captchas' secrets are sent to, with the variable that names it.
    var secretDestinations: [(variable: String, url: String, isDefault: Bool)] {
        [("TURNSTILE_URL", turnstileURL, turnstileURL == Self.defaultTurnstileURL),
         ("HCAPTCHA_API_URL", hcaptchaVerifyURL, hcaptchaVerifyURL == Self.defaultHCaptchaVerifyURL)]
    }
}

/// What a page (or `embed.js`, from `/f/{slug}/stamp`) needs to show a form's captcha widget.
struct CaptchaWidget: Content, Equatable {
    let provider: String
    let widgetClass: String
    let siteKey: String
    let script: String

    init?(_ form: WebForm, settings: CaptchaSettings) {
        guard let captcha = form.captcha else { return nil }
        provider = captcha.provider.rawValue
        widgetClass = captcha.provider.widgetClass
        siteKey = captcha.siteKey
        script = captcha.provider.scriptURL(settings)
    }
}

extension Request {
    private struct CaptchaSourcesKey: StorageKey { typealias Value = CaptchaSources }

    /// Set by a page that shows a captcha widget: its Content-Security-Policy lets that
    /// provider in (`SecurityHeadersMiddleware`), and no page without a widget does.
    var captchaSources: CaptchaSources? {
        get { storage[CaptchaSourcesKey.self] }
        set { storage[CaptchaSourcesKey.self] = newValue }
    }
}
