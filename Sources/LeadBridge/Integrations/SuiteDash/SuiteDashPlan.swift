import Foundation

/// SuiteDash's plans and the API calls each allows a month, so API mode never starts without a
/// budget: at one to three calls per lead, a 400-call plan runs dry after about 150 leads, and
/// every sync after that fails until the month ends. The figures are as a public integration
/// lists them, not published by SuiteDash: unconfirmed (docs/providers.md), which is why
/// "Custom" takes your plan's own number.
enum SuiteDashPlan: String, CaseIterable, Sendable {
    case trial, start, thrive, pinnacle, custom

    var monthlyCalls: Int? {
        switch self {
        case .trial: 80
        case .start: 400
        case .thrive: 2_000
        case .pinnacle: 20_000
        case .custom: nil
        }
    }

    var label: String {
        switch self {
        case .custom: "Custom: my plan's monthly API calls"
        default: "\(rawValue.capitalized) (\(monthlyCalls!.formatted()) API calls a month)"
        }
    }

    /// The plan a stored limit reads as: one of the listed figures, else custom.
    static func reading(_ limit: Int?) -> SuiteDashPlan? {
        guard let limit else { return nil }
        return allCases.first { $0.monthlyCalls == limit } ?? .custom
    }
}
