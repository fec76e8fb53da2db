import Foundation

/// Where a number's owner probably is: the zones of its country calling code and, for North
/// American numbers (+1), of its area code. From libphonenumber's time-zone map (the data file
/// `NumberTimeZones+Data.swift`, made by `scripts/data/make-number-zones.py`); a number can be
/// carried to another place, so this is a guess, and quiet hours hold in every zone it names.
enum NumberTimeZones {
    private static func invert(_ table: [String: String]) -> [String: [TimeZone]] {
        var byKey: [String: [TimeZone]] = [:]
        for (zones, keys) in table {
            let parsed = zones.split(separator: "&").compactMap { TimeZone(identifier: String($0)) }
            for key in keys.split(separator: " ") { byKey[String(key)] = parsed }
        }
        return byKey
    }

    private static let areas = invert(areaCodesByZones)
    private static let countries = invert(countryCodesByZones)

    /// The zones the number may be in; empty when nothing is known (the business's zone is used).
    static func zones(for number: String) -> [TimeZone] {
        guard let e164 = PhoneNumber.e164(number) else { return [] }
        let digits = e164.dropFirst()
        if digits.hasPrefix("1") {
            return areas[String(digits.dropFirst().prefix(3))] ?? []
        }
        for length in [3, 2, 1] where digits.count > length {
            if let zones = countries[String(digits.prefix(length))] { return zones }
        }
        return []
    }
}
