/// A pragmatic email check: what real mail systems accept, not the whole of RFC 5322.
enum EmailAddress {
    private static let localCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-")
    private static let labelCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")

    /// The address, lower-cased so the same person is one contact, or nil when it cannot be delivered to.
    static func normalize(_ input: String) -> String? {
        let address = input.trimmingCharacters(in: .whitespaces)
        guard address.count <= 254 else { return nil }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let local = parts[0], domain = parts[1]

        guard (1...64).contains(local.count), local.allSatisfy(localCharacters.contains),
              !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else { return nil }

        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return nil }
        for label in labels {
            guard (1...63).contains(label.count), label.allSatisfy(labelCharacters.contains),
                  !label.hasPrefix("-"), !label.hasSuffix("-") else { return nil }
        }
        guard let tld = labels.last, tld.count >= 2, tld.hasPrefix("xn--") || tld.allSatisfy(\.isLetter) else { return nil }
        return address.lowercased()
    }
}
