import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import RingCentralKit

/// Checks a visitor's captcha token with its provider, server-side, once (issue #31). Built
/// once per app (`AppServices.captcha`) on the app's HTTP client.
///
/// What it never does is lose an enquiry: every answer becomes a verdict, and one that is not
/// a clear pass or fail ("could not be reached", "the secret was refused") keeps the enquiry
/// in Spam as "captcha not checked" for a person to look at.
struct CaptchaVerifier: Sendable {
    enum Verdict: Sendable, Equatable {
        case passed
        /// The provider said the visitor failed: these are its `error-codes`.
        case failed([String])
        /// Nobody can say: the provider was unreachable, slow, or refused our side of the check.
        case notChecked(String)
        /// Solved, but on a page of this host, which is none of the form's websites: a site key
        /// may serve several sites, and a token solved on one is no proof for another.
        case otherSite(String)
    }

    /// The published test site keys: their tokens name a made-up host (Cloudflare's say
    /// `example.com`), so the host is not checked for them.
    static let testSiteKeys: Set<String> = [
        "1x00000000000000000000AA", "2x00000000000000000000AB", "1x00000000000000000000BB", "2x00000000000000000000BB",
        "3x00000000000000000000FF", "10000000-ffff-ffff-ffff-000000000001",
    ]

    let client: HTTPClient
    let settings: CaptchaSettings
    let ledger: CaptchaTokenLedger
    let logger: Logger

    /// The longest token either provider issues (Turnstile's documented maximum is 2048).
    static let maxTokenLength = 2048

    /// Codes that mean our configuration is wrong, not the visitor: the enquiry is kept for a person.
    static let configurationCodes: Set<String> = [
        "missing-input-secret", "invalid-input-secret", "sitekey-secret-mismatch", "invalid-or-already-seen-response-secret",
        "not-using-dummy-passcode", "not-using-dummy-secret", "internal-error", "bad-request",
    ]

    /// `expectedHosts`: where the widget may have been solved (`IntakePipeline.captchaHosts`,
    /// lower case); `siteKey`: the form's, to tell test keys apart. Both required, so that no
    /// caller leaves the host check out by default.
    func verify(_ provider: CaptchaProvider, secret: String, token: String, remoteIP: String?, now: Date,
                siteKey: String?, expectedHosts: Set<String>) async -> Verdict {
        guard token.count <= Self.maxTokenLength, !token.contains(where: \.isNewline) else { return .failed(["invalid-input-response"]) }
        // A token answers one submission: a second use is refused here, before the provider is asked.
        guard await ledger.firstUse(provider, token, now: now) else { return .failed(["timeout-or-duplicate"]) }
        var form = [("secret", secret), ("response", token)]
        if let remoteIP { form.append(("remoteip", remoteIP)) }
        if provider == .turnstile { form.append(("idempotency_key", UUID().uuidString.lowercased())) }
        var request = HTTPClientRequest(url: provider.verifyURL(settings))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(form)))
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(settings.timeoutSeconds)))
            let body = try await response.body.collect(upTo: 64 * 1024)
            guard response.status == .ok else {
                return unreachable(provider, "it answered \(response.status.code)")
            }
            guard let answer = try? JSONDecoder().decode(Answer.self, from: body) else {
                return unreachable(provider, "its answer was not the JSON it documents")
            }
            if answer.success {
                if let host = answer.hostname?.lowercased(), !host.isEmpty, !expectedHosts.isEmpty, !expectedHosts.contains(host),
                   !Self.testSiteKeys.contains(siteKey ?? "") {
                    logger.info("A captcha token solved on another site was refused", metadata: ["provider": "\(provider.rawValue)"])
                    return .otherSite(String(host.prefix(253)))
                }
                return .passed
            }
            let codes = answer.errorCodes ?? []
            if let code = codes.first(where: Self.configurationCodes.contains) {
                logger.warning("The captcha provider refused LeadBridge's side of the check", metadata: ["provider": "\(provider.rawValue)", "code": "\(code)"])
                return .notChecked("\(provider.displayName) refused the form's keys (\(code)): check the site key and secret in Admin > Forms")
            }
            return .failed(codes.isEmpty ? ["invalid-input-response"] : codes)
        } catch {
            return unreachable(provider, error is HTTPClientError ? "\(error)" : "the connection failed")
        }
    }

    private func unreachable(_ provider: CaptchaProvider, _ why: String) -> Verdict {
        logger.warning("The captcha provider could not check a token", metadata: ["provider": "\(provider.rawValue)", "why": "\(why)"])
        return .notChecked("\(provider.displayName) could not be reached (\(why))")
    }

    /// `siteverify`'s answer, as both providers document it (the other fields are not needed).
    private struct Answer: Decodable {
        let success: Bool
        let errorCodes: [String]?
        /// The host of the page the widget was solved on (both providers document it).
        let hostname: String?
        enum CodingKeys: String, CodingKey { case success, errorCodes = "error-codes", hostname }
    }

    /// The reason an enquiry is kept in Spam for a verdict, or nil when it passed.
    static func spamReason(_ verdict: Verdict, provider: CaptchaProvider) -> String? {
        switch verdict {
        case .passed:
            return nil
        case .failed(let codes):
            return "The captcha (\(provider.displayName)) failed: \(codes.joined(separator: ", "))."
        case .notChecked(let why):
            return "Captcha not checked: \(why). Read it, then press Not spam if it is a real enquiry."
        case .otherSite(let host):
            return "The captcha (\(provider.displayName)) was solved on \(host), which is not one of this form's websites."
        }
    }

    static func missingReason(_ provider: CaptchaProvider) -> String {
        "No captcha answer came with it (\(provider.displayName) is on for this form)."
    }
}

/// The tokens this process has already checked, for as long as a token lives (Turnstile's and
/// hCaptcha's expire within minutes): a replayed token is refused without asking the provider,
/// which refuses it too (`timeout-or-duplicate`, `already-seen-response`).
actor CaptchaTokenLedger {
    private var seen: [String: Date] = [:]
    private var lastPrune = Date.distantPast
    static let lifetime: TimeInterval = 300

    func firstUse(_ provider: CaptchaProvider, _ token: String, now: Date) -> Bool {
        if now.timeIntervalSince(lastPrune) > 60 {
            seen = seen.filter { $0.value > now }
            lastPrune = now
        }
        let key = provider.rawValue + ":" + token
        if let until = seen[key], until > now { return false }
        seen[key] = now.addingTimeInterval(Self.lifetime)
        return true
    }
}
