// "Domains whose mail each sender would refuse" (issue 17): the sender profiles' outcomes
// (docs/PROFILES.md) over one scan, counted per profile, and the refused domains listed.
import MTASTSCore
import MTASTSStore

public struct ProfileStatistics: Sendable {
    public private(set) var counts: [SenderProfile: [DeliveryOutcome: Int]] = [:]
    /// Domains that at least one profile defers, in line order, at most `listLimit`.
    public private(set) var refused: [ProfileRow] = []
    public private(set) var refusedTotal = 0
    public private(set) var domains = 0
    public let listLimit: Int
    public let profiles: [SenderProfile]

    public init(profiles: [SenderProfile] = SenderProfile.allCases, listLimit: Int = 200) {
        self.profiles = profiles
        self.listLimit = listLimit
    }

    public mutating func add(_ row: ProfileRow) {
        domains += 1
        for o in row.outcomes { counts[o.profile, default: [:]][o.outcome, default: 0] += 1 }
        if row.outcomes.contains(where: { $0.outcome == .defers }) {
            refusedTotal += 1
            if refused.count < listLimit { refused.append(row) }
        }
    }

    public var tables: [Table] {
        let outcomeRows: [[Cell]] = profiles.map { p in
            let c = counts[p] ?? [:]
            return [.text(p.rawValue)] + DeliveryOutcome.allCases.map { .int(c[$0] ?? 0) }
                + [.share(domains == 0 ? nil : Double(c[.defers] ?? 0) / Double(domains))]
        }
        let outcomes = Table(name: "sender_outcomes", title: "Sender profiles: what each sender does with the mail (docs/PROFILES.md)",
                             columns: ["profile"] + DeliveryOutcome.allCases.map { String($0.rawValue.map { $0 == "-" ? "_" : $0 }) } + ["defers_share"],
                             rows: outcomeRows,
                             note: "\(domains) domains with stored evidence, first contact (no cached policy); unknown: MX hosts not probed (no record, without --probe-all-mx) or the scan's deadline")
        let refusedRows: [[Cell]] = refused.map { row in
            let byProfile = Dictionary(row.outcomes.map { ($0.profile, $0) }, uniquingKeysWith: { a, _ in a })
            let reasons = row.outcomes.filter { $0.outcome == .defers }
                .map { "\($0.profile.rawValue): \($0.reasons.joined(separator: " "))" }.joined(separator: "; ")
            return [.text(row.domain)] + profiles.map { .text(byProfile[$0]?.outcome.rawValue ?? "") } + [.text(reasons)]
        }
        let list = Table(name: "sender_refusals", title: "Domains whose mail each sender would refuse: \(refusedTotal) domains",
                         columns: ["domain"] + profiles.map { String($0.rawValue.map { $0 == "-" ? "_" : $0 }) } + ["reasons"],
                         rows: refusedRows,
                         note: refusedTotal > listLimit ? "first \(listLimit) of \(refusedTotal), in line order; `reclassify --profile P` stores every domain's outcome" : "every domain that at least one profile defers, in line order")
        return [outcomes, list]
    }
}
