/// One line of `leadbridge doctor`: what was checked, the verdict, and a sentence a person can act on.
struct DoctorCheck: Sendable, Equatable, Encodable {
    enum Verdict: String, Sendable, Encodable {
        /// ✓: checked and right.
        case pass = "✓"
        /// ✗: checked and wrong; the sentence says what to do. Makes the command exit non-zero.
        case fail = "✗"
        /// ?: could not be settled from here (not set up, or nothing to read it from).
        case unknown = "?"
    }

    let area: String
    let name: String
    let verdict: Verdict
    let sentence: String

    static func pass(_ area: String, _ name: String, _ sentence: String) -> Self { .init(area: area, name: name, verdict: .pass, sentence: sentence) }
    static func fail(_ area: String, _ name: String, _ sentence: String) -> Self { .init(area: area, name: name, verdict: .fail, sentence: sentence) }
    static func unknown(_ area: String, _ name: String, _ sentence: String) -> Self { .init(area: area, name: name, verdict: .unknown, sentence: sentence) }
}

extension [DoctorCheck] {
    var failures: Int { filter { $0.verdict == .fail }.count }
    var passes: Int { filter { $0.verdict == .pass }.count }
    var unknowns: Int { filter { $0.verdict == .unknown }.count }

    /// The checks as a plain-text table, one line each, columns padded (the command prints it).
    var table: String {
        let areaWidth = map(\.area.count).max() ?? 0
        let nameWidth = map(\.name.count).max() ?? 0
        return map { check in
            "\(check.verdict.rawValue)  \(check.area.padding(toLength: areaWidth, withPad: " ", startingAt: 0))  "
                + "\(check.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0))  \(check.sentence)"
        }.joined(separator: "\n")
    }
}
