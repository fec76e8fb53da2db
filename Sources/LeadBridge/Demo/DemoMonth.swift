import Foundation

/// The demo's month of leads, calls and texts: made up, but the same every time (a fixed seed),
/// so screenshots and the browser story see the same people. Names and numbers are fictional:
/// phone numbers are in the 555-01xx block kept for fiction, addresses on `.example` domains.
struct DemoMonth {
    struct Lead: Sendable {
        let firstName: String
        let lastName: String?
        let email: String?
        let phone: String?
        let company: String?
        let interest: String
        let message: String
        let source: String
        let createdAt: Date
        /// Seconds from arrival to synced, had the month been lived.
        let syncDelay: TimeInterval
    }

    struct Text: Sendable {
        let enquiryID: Int
        let inbound: Bool
        let from: String
        let to: String
        let body: String
        let at: Date
        let ringCentralID: String?
    }

    let now: Date
    let interests: [String]
    private var random = SplitMix64(seed: 0x1EAD_B41D)

    init(now: Date, interests: [String]) {
        self.now = now
        self.interests = interests.isEmpty ? ["Business Strategy"] : interests
    }

    static let firstNames = ["Amelia", "Ben", "Chloe", "Daniel", "Ella", "Farid", "Grace", "Hiro", "Isla", "Jonah",
                             "Keira", "Liam", "Maya", "Noah", "Olivia", "Priya", "Quinn", "Rosa", "Sam", "Tomás",
                             "Uma", "Victor", "Wen", "Xavier", "Yara", "Zoe", "Aisha", "Bruno", "Carmen", "Dev"]
    static let lastNames = ["Adams", "Brooks", "Chen", "Diaz", "Evans", "Fischer", "García", "Hughes", "Ito", "Jensen",
                            "Kowalski", "Lopez", "Murphy", "Nakamura", "O'Brien", "Patel", "Quist", "Rossi", "Singh",
                            "Turner", "Ulrich", "Vance", "Walsh", "Xu", "Young", "Zimmer"]
    static let companies = ["Brightside Bakery", "Northwind Logistics", "Harbor Dental", "Pine & Co Architects",
                            "Summit Physio", "Bluebird Florists", "Keystone Legal", "Riverbend Farms", "Atlas Fitness",
                            "Copperleaf Café", "Meridian Travel", "Oakridge Builders", "Lumen Studio", "Fernhill Vets"]
    static let messages = [
        "We're growing fast and our processes haven't kept up. Could we talk this week?",
        "Looking for help with a funding round in the spring. What does an engagement look like?",
        "Our website brings in leads but nobody follows up. Can you help us fix that?",
        "We need a second opinion on a three-year plan before the board meets.",
        "Can you call me after 3pm? Interested in a half-day workshop for the team.",
        "Referred by a friend. We want to move our bookkeeping and CRM to something modern.",
        "Quick question about your pricing for small teams (8 people).",
        "We opened a second location and everything is in spreadsheets. Help!",
    ]
    static let replies = [
        "Thanks for the call earlier, Thursday at 10 works for me.",
        "Got your text. Can you send the proposal by email?",
        "Running late today, could we move to tomorrow?",
        "Yes please, put us down for the workshop.",
        "Who is this? Oh, the consultancy, great, call me back?",
        "Perfect, see you then.",
    ]
    static let areaCodes = ["415", "212", "312", "617", "206", "303", "512", "404"]

    /// `count` leads over the 29 days before `now`, oldest first.
    mutating func leads(count: Int) -> [Lead] {
        var leads: [Lead] = []
        var used = Set<String>()
        for index in 0..<count {
            // Spread evenly over 29 days (inside the dashboard's 30), each nudged within its slot;
            // the newest about an hour ago.
            let slot = 29 * 86400 / Double(count)
            var created = now.addingTimeInterval(-29 * 86400 + slot * Double(index) + random.next(in: 0..<slot))
            created = min(created, now.addingTimeInterval(-3600 - Double(count - index) * 60))
            let first = Self.firstNames[random.index(Self.firstNames.count)]
            let last = Self.lastNames[random.index(Self.lastNames.count)]
            let company = random.chance(0.8) ? Self.companies[random.index(Self.companies.count)] : nil
            let domain = (company ?? "mail").lowercased().filter { $0.isLetter } + ".example"
            var email = "\(first).\(last)".lowercased().folding(options: .diacriticInsensitive, locale: nil)
                .filter { $0.isLetter || $0 == "." } + "@" + domain
            if used.contains(email) { email = email.replacingOccurrences(of: "@", with: "\(index)@") }
            used.insert(email)
            let phone: String? = random.chance(0.85)
                ? "+1" + Self.areaCodes[random.index(Self.areaCodes.count)] + "55501" + String(format: "%02d", random.index(100))
                : nil
            let delay = random.chance(0.9) ? random.next(in: 2..<50) : random.next(in: 120..<2400)
            leads.append(Lead(firstName: first, lastName: last, email: email, phone: phone, company: company,
                              interest: interests[random.index(interests.count)],
                              message: Self.messages[random.index(Self.messages.count)],
                              source: random.chance(0.85) ? "website" : "landing-page",
                              createdAt: created, syncDelay: delay))
        }
        return leads
    }

    /// Calls about some leads, in the hours after they arrived.
    mutating func calls(for leads: [(Int, Lead)]) -> [DemoCall] {
        var calls: [DemoCall] = []
        for (_, lead) in leads where random.chance(0.45) {
            guard let phone = lead.phone else { continue }
            let start = min(lead.createdAt.addingTimeInterval(random.next(in: 300..<14400)), now.addingTimeInterval(-600))
            let answered = random.chance(0.7)
            calls.append(DemoCall(inbound: false, leadPhone: phone, start: start,
                                  seconds: answered ? Int(random.next(in: 60..<900)) : 0,
                                  result: answered ? "Call connected" : "No Answer"))
            if random.chance(0.25) {
                let back = min(start.addingTimeInterval(random.next(in: 3600..<86400)), now.addingTimeInterval(-300))
                let missed = random.chance(0.4)
                calls.append(DemoCall(inbound: true, leadPhone: phone, start: back,
                                      seconds: missed ? 0 : Int(random.next(in: 60..<600)), result: missed ? "Missed" : "Accepted"))
            }
        }
        return calls
    }

    /// A first text to some leads after they arrived, and some replies.
    mutating func texts(for leads: [(Int, Lead)], userNumber: String) -> [Text] {
        var texts: [Text] = []
        for (id, lead) in leads where random.chance(0.35) {
            guard let phone = lead.phone else { continue }
            let sent = min(lead.createdAt.addingTimeInterval(random.next(in: 120..<3600)), now.addingTimeInterval(-900))
            texts.append(Text(enquiryID: id, inbound: false, from: userNumber, to: phone,
                              body: "Hi \(lead.firstName), thanks for getting in touch about \(lead.interest.lowercased()). When suits you for a quick call?",
                              at: sent, ringCentralID: nil))
            if random.chance(0.5) {
                texts.append(Text(enquiryID: id, inbound: true, from: phone, to: userNumber,
                                  body: Self.replies[random.index(Self.replies.count)],
                                  at: min(sent.addingTimeInterval(random.next(in: 300..<7200)), now.addingTimeInterval(-600)),
                                  ringCentralID: "demo-\(id)-reply"))
            }
        }
        return texts
    }
}

/// A small seeded generator (SplitMix64): the same demo every time, unlike the system's.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func nextUInt64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func unit() -> Double { Double(nextUInt64() >> 11) / Double(1 << 53) }
    mutating func next(in range: Range<Double>) -> Double { range.lowerBound + unit() * (range.upperBound - range.lowerBound) }
    mutating func index(_ count: Int) -> Int { Int(unit() * Double(count)) % max(count, 1) }
    mutating func chance(_ p: Double) -> Bool { unit() < p }
}
