import Foundation
import SuiteDashKit

/// SuiteDash: the keys (one `GET /contact/meta`), the custom fields the mapping names, the budget.
extension Doctor {
    func suiteDash() async -> [DoctorCheck] {
        let area = "SuiteDash"
        let configuration: SuiteDashSettings
        do { configuration = try await services.suiteDash.settings.load() } catch {
            return [.fail(area, "settings", "The SuiteDash settings could not be read (\(String(describing: error).prefix(200))).")]
        }
        guard configuration.mode == .api else {
            return [.pass(area, "mode", "Import mode: LeadBridge makes no SuiteDash calls; enquiries leave as CSV exports.")]
        }
        guard let credentials = configuration.credentials else {
            return [configuration.isEnabled
                ? .fail(area, "keys", "API mode is on without keys: enter the Public ID and Secret Key from SuiteDash > Integrations > Secure API.")
                : .unknown(area, "keys", "Not set up: no SuiteDash keys.")]
        }
        if SuiteDashDummyKeys.matches(publicID: credentials.publicID, secretKey: credentials.secretKey) {
            return [.fail(area, "keys", SuiteDashService.dummyKeysSentence)]
        }
        var checks: [DoctorCheck] = []
        do {
            let meta = try await services.suiteDash.client(configuration, credentials: credentials, relatedType: "doctor").testConnection()
            checks.append(.pass(area, "keys", "SuiteDash accepted the keys at \(configuration.apiURL) (GET /contact/meta)."))
            let known = Set(meta.customFields.map(\.key))
            let missing = configuration.fieldMap.filter { !known.contains($0.value) }.map(\.key.label).sorted()
            if configuration.fieldMap.isEmpty {
                checks.append(.pass(area, "custom fields", "No enquiry field is mapped to a custom field."))
            } else if missing.isEmpty {
                checks.append(.pass(area, "custom fields", "All \(configuration.fieldMap.count) mapped custom field(s) exist in the account."))
            } else {
                checks.append(.fail(area, "custom fields", "Mapped to a custom field the account no longer has: \(missing.joined(separator: ", ")). Run Test Connection in Admin > SuiteDash and map them again."))
            }
        } catch let error as SuiteDashError {
            checks.append(.fail(area, "keys", SuiteDashService.connectionFailure(error, apiURL: configuration.apiURL)))
        } catch {
            checks.append(.fail(area, "keys", "SuiteDash could not be asked: \(String(describing: error).prefix(200))"))
        }
        if let limit = configuration.monthlyCallLimit {
            let used = (try? await services.suiteDash.requestsThisMonth(now: now)) ?? 0
            checks.append(.pass(area, "monthly budget", "\(limit.formatted()) calls a month; \(used.formatted()) used this month."))
        } else {
            checks.append(.fail(area, "monthly budget", "No monthly call budget: choose the SuiteDash plan in Admin > SuiteDash, so syncing pauses before the plan's calls run out instead of failing."))
        }
        return checks
    }
}
