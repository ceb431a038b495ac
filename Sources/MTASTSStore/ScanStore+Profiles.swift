// Sender profiles over stored evidence (issue 17, docs/PROFILES.md). The outcomes are pure
// functions of the evidence, so `report` and `check` compute them when asked; `reclassify
// --profile P` stores one profile's in profile_outcomes and changes nothing else.
import MTASTSCore

/// One domain row's outcomes.
public struct ProfileRow: Sendable, Hashable {
    public var domain: String
    public var outcomes: [ProfileOutcome]
}

/// What `reclassify --profile` wrote.
public struct ProfileStoreResult: Sendable, Hashable {
    public var profile: SenderProfile
    public var counts: [DeliveryOutcome: Int]
    public var domains: Int { counts.values.reduce(0, +) }
}

extension ScanStore {
    /// Every domain row of the scan that has evidence, in line order, with the outcome of each
    /// profile asked for. Keyset pages of `batchSize` rows keep memory flat on large scans.
    public func profileRows(scanID: Int64, profiles: [SenderProfile] = SenderProfile.allCases, batchSize: Int = 1000,
                            _ body: (ProfileRow) throws -> Void) throws {
        try forEachEvidencePage(scanID: scanID, batchSize: batchSize) { page in
            for (_, domain, e) in page {
                let dane = DANEView.judged(e)
                try body(ProfileRow(domain: domain, outcomes: profiles.map { $0.outcome(e, dane: dane) }))
            }
        }
    }

    /// Computes `profile` for every domain row of the scan with evidence and stores it in
    /// profile_outcomes (replacing that profile's earlier rows); each page is one transaction.
    public func storeProfileOutcomes(scanID: Int64, profile: SenderProfile, batchSize: Int = 1000,
                                     progress: ((Int) -> Void)? = nil) throws -> ProfileStoreResult {
        var result = ProfileStoreResult(profile: profile, counts: [:])
        try forEachEvidencePage(scanID: scanID, batchSize: batchSize) { page in
            try db.transaction("storing profile \(profile.rawValue) for scan \(scanID)") {
                let insert = try statement("""
                    INSERT OR REPLACE INTO profile_outcomes(domain_id, profile, outcome, reasons, host) VALUES (?, ?, ?, ?, ?)
                    """)
                for (id, _, e) in page {
                    let o = profile.outcome(e, dane: DANEView.judged(e))
                    try insert.run([.int(id), .text(profile.rawValue), .text(o.outcome.rawValue),
                                    .text(o.reasons.joined(separator: " ")), o.host.map { .text($0) }])
                    result.counts[o.outcome, default: 0] += 1
                }
            }
            progress?(result.domains)
        }
        return result
    }

    /// The stored outcomes of one profile: (domain, outcome, reasons, host) in line order.
    public func storedProfileOutcomes(scanID: Int64, profile: SenderProfile,
                                      _ body: (String, String, [String], String?) throws -> Void) throws {
        try statement("""
            SELECT d.domain, p.outcome, p.reasons, p.host FROM profile_outcomes p JOIN domains d ON d.id = p.domain_id
            WHERE d.scan_id = ? AND p.profile = ? ORDER BY d.line_no
            """).query([.int(scanID), .text(profile.rawValue)]) {
            try body($0.text(0) ?? "", $0.text(1) ?? "", ($0.text(2) ?? "").split(separator: " ").map(String.init), $0.text(3))
        }
    }

    /// Pages of (row id, domain, evidence) in row id order, read before the page is handed on,
    /// so no cursor is open while the caller writes.
    func forEachEvidencePage(scanID: Int64, batchSize: Int, _ body: ([(Int64, String, Evidence)]) throws -> Void) throws {
        var after: Int64 = 0
        while true {
            var ids: [(Int64, String)] = []
            try statement("""
                SELECT d.id, d.domain FROM domains d JOIN evidence e ON e.domain_id = d.id
                WHERE d.scan_id = ? AND d.id > ? ORDER BY d.id LIMIT ?
                """).query([.int(scanID), .int(after), .of(batchSize)]) { ids.append(($0.int(0), $0.text(1) ?? "")) }
            guard let last = ids.last else { return }
            after = last.0
            var page: [(Int64, String, Evidence)] = []
            for (id, domain) in ids {
                if let e = try evidence(domainRowID: id) { page.append((id, domain, e)) }
            }
            try body(page)
        }
    }
}
