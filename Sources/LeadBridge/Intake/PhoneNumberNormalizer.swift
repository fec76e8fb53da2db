/// Turns what a visitor types into an E.164 number (`+` and up to 15 digits), or says why not.
///
/// A number written with `+` or `00` is international; anything else is read as a national
/// number of the default country (`CONTACT_DEFAULT_COUNTRY`), dropping its trunk prefix
/// (the leading 0 in the UK, the leading 1 in North America). Known countries have their
/// national number lengths checked, and North American numbers their area-code rules;
/// other country codes must give 8 to 15 digits in all.
enum PhoneNumberNormalizer {
    struct Plan: Sendable {
        let callingCode: String
        let trunkPrefix: String?
        let nationalLengths: ClosedRange<Int>
    }

    static let plans: [String: Plan] = [
        "US": Plan(callingCode: "1", trunkPrefix: "1", nationalLengths: 10...10),
        "CA": Plan(callingCode: "1", trunkPrefix: "1", nationalLengths: 10...10),
        "GB": Plan(callingCode: "44", trunkPrefix: "0", nationalLengths: 9...10),
        "IE": Plan(callingCode: "353", trunkPrefix: "0", nationalLengths: 7...9),
        "AU": Plan(callingCode: "61", trunkPrefix: "0", nationalLengths: 9...9),
        "NZ": Plan(callingCode: "64", trunkPrefix: "0", nationalLengths: 8...10),
        "DE": Plan(callingCode: "49", trunkPrefix: "0", nationalLengths: 6...13),
        "FR": Plan(callingCode: "33", trunkPrefix: "0", nationalLengths: 9...9),
        "ES": Plan(callingCode: "34", trunkPrefix: nil, nationalLengths: 9...9),
        "IT": Plan(callingCode: "39", trunkPrefix: nil, nationalLengths: 6...11),
        "NL": Plan(callingCode: "31", trunkPrefix: "0", nationalLengths: 9...9),
        "BE": Plan(callingCode: "32", trunkPrefix: "0", nationalLengths: 8...9),
        "CH": Plan(callingCode: "41", trunkPrefix: "0", nationalLengths: 9...9),
        "AT": Plan(callingCode: "43", trunkPrefix: "0", nationalLengths: 4...13),
        "SE": Plan(callingCode: "46", trunkPrefix: "0", nationalLengths: 7...10),
        "NO": Plan(callingCode: "47", trunkPrefix: nil, nationalLengths: 8...8),
        "DK": Plan(callingCode: "45", trunkPrefix: nil, nationalLengths: 8...8),
        "PT": Plan(callingCode: "351", trunkPrefix: nil, nationalLengths: 9...9),
        "IN": Plan(callingCode: "91", trunkPrefix: "0", nationalLengths: 10...10),
        "SG": Plan(callingCode: "65", trunkPrefix: nil, nationalLengths: 8...8),
        "ZA": Plan(callingCode: "27", trunkPrefix: "0", nationalLengths: 9...9),
        "MX": Plan(callingCode: "52", trunkPrefix: nil, nationalLengths: 10...10),
        "BR": Plan(callingCode: "55", trunkPrefix: "0", nationalLengths: 10...11),
        "JP": Plan(callingCode: "81", trunkPrefix: "0", nationalLengths: 9...10),
        "AE": Plan(callingCode: "971", trunkPrefix: "0", nationalLengths: 8...9),
    ]

    /// The same plans keyed by calling code, for reading international numbers.
    private static let plansByCallingCode: [String: Plan] = Dictionary(
        plans.values.map { ($0.callingCode, $0) }, uniquingKeysWith: { first, _ in first })

    static var supportedCountries: [String] { plans.keys.sorted() }
    static func supports(country: String) -> Bool { plans[country] != nil }

    enum Failure: Error, Equatable {
        case notDigits
        case impossible
    }

    static func normalize(_ input: String, defaultCountry: String) -> Result<String, Failure> {
        // Keep digits and a leading "+"; allow the usual separators; anything else is not a number.
        var digits = ""
        var sawPlus = false
        for scalar in input.unicodeScalars {
            switch scalar {
            case "0"..."9": digits.unicodeScalars.append(scalar)
            case "+" where digits.isEmpty && !sawPlus: sawPlus = true
            case " ", "-", ".", "(", ")", "/", "\t", "\u{00A0}": continue
            default: return .failure(.notDigits)
            }
        }
        guard !digits.isEmpty else { return .failure(.notDigits) }
        let international = sawPlus || digits.hasPrefix("00")
        if !sawPlus && international { digits.removeFirst(2) }

        if international { return validateInternational(digits) }
        guard let plan = plans[defaultCountry] else { return .failure(.impossible) }
        let national = withoutTrunkPrefix(Substring(digits), plan: plan)
        guard plan.nationalLengths.contains(national.count) else { return .failure(.impossible) }
        return validateInternational(plan.callingCode + national)
    }

    /// Drops a leading trunk prefix when what remains is a valid national length, so
    /// "020 7946 0958" and the common "+44 (0)20 7946 0958" both read as +44 20 7946 0958.
    private static func withoutTrunkPrefix(_ national: Substring, plan: Plan) -> Substring {
        guard let trunk = plan.trunkPrefix, national.hasPrefix(trunk),
              plan.nationalLengths.contains(national.count - trunk.count) else { return national }
        return national.dropFirst(trunk.count)
    }

    private static func validateInternational(_ digits: String) -> Result<String, Failure> {
        guard (8...15).contains(digits.count), digits.first != "0" else { return .failure(.impossible) }
        // Longest matching calling code wins ("353" before "35").
        let known = (1...3).reversed().lazy.compactMap { plansByCallingCode[String(digits.prefix($0))] }.first
        guard let plan = known else { return .success("+" + digits) }
        // North America's trunk "1" is its calling code too; only "0" trunks appear after a country code.
        let afterCode = digits.dropFirst(plan.callingCode.count)
        let national = plan.trunkPrefix == "0" ? withoutTrunkPrefix(afterCode, plan: plan) : afterCode
        guard plan.nationalLengths.contains(national.count) else { return .failure(.impossible) }
        if plan.callingCode == "1", !isPlausibleNorthAmerican(national) { return .failure(.impossible) }
        return .success("+" + plan.callingCode + national)
    }

    /// NANP: area code and exchange both start with 2–9.
    private static func isPlausibleNorthAmerican(_ national: Substring) -> Bool {
        let chars = Array(national)
        return chars.count == 10 && chars[0] >= "2" && chars[3] >= "2"
    }
}
