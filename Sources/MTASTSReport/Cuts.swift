// The standard cuts of published MTA-STS studies, counted with the report (analysis/REPORTS.md;
// the SQL views of analysis/cuts.sql repeat the definitions, and Tests/E2E/cuts.sh holds the
// two, and an independent pandas computation from the export, together):
//   - "mail domains": scanned domains whose MX lookup gave at least one host that is not a null
//     MX (mx_status neither null-mx nor dns-error; an implicit MX counts). A domain that takes no
//     mail cannot use MTA-STS, so adoption "among mail domains" is the fairer denominator;
//   - rank buckets: top 1k, 10k, 100k, 1M of the input's rank (cumulative: the top 10k holds the
//     top 1k), then every ranked and every unranked domain;
//   - TLD: the public suffix of the domain (Public Suffix List, ICANN section);
//   - misconfiguration among domains with a record, by category (one category per domain);
//   - delivery impact: enforce-blocks-all-mx, compliant senders refuse to deliver.

import MTASTSStore

/// The counters of one cut (a rank bucket, a TLD, every domain).
public struct CutCounts: Sendable, Hashable {
    public var scanned = 0
    public var mail = 0
    public var record = 0
    /// With a record AND a mail domain: the numerator of the share among mail domains.
    public var recordMail = 0
    public var valid = 0
    public var enforce = 0
    public var blocksAllMX = 0

    mutating func add(mail isMail: Bool, record hasRecord: Bool, status: String, mode: String?, blocks: Bool) {
        scanned += 1
        if isMail { mail += 1 }
        if hasRecord { record += 1 }
        if hasRecord && isMail { recordMail += 1 }
        if status == "valid" {
            valid += 1
            if mode == "enforce" { enforce += 1 }
        }
        if blocks { blocksAllMX += 1 }
    }

    /// The cells of the rank-bucket and TLD tables after the cut's name.
    var cells: [Cell] {
        [.int(scanned), .int(mail), .int(record), share(record, of: scanned), share(recordMail, of: mail),
         .int(valid), share(valid, of: scanned), .int(enforce), share(enforce, of: valid), .int(blocksAllMX)]
    }

    static let columns = ["domains", "mail_domains", "with_record", "record_share_of_scanned", "record_share_of_mail",
                          "valid", "valid_share_of_scanned", "enforce", "enforce_share_of_valid", "enforce_blocks_all_mx"]
}

public enum RankBucket {
    public static let tops = [1_000, 10_000, 100_000, 1_000_000]
    public static func name(_ top: Int) -> String { "top " + (top >= 1_000_000 ? "\(top / 1_000_000)M" : "\(top / 1_000)k") }
}

/// Misconfiguration categories of a domain with a record: the first that applies.
public enum Misconfiguration {
    public static let categories: [(name: String, meaning: String)] = [
        ("record-invalid", "the STS record is malformed"),
        ("policy-fetch-error", "the policy could not be fetched (DNS, TCP, TLS handshake, HTTP status, size)"),
        ("policy-webpki-invalid", "the policy host's certificate or TLS fails validation"),
        ("policy-invalid", "the policy body does not parse"),
        ("mx-not-all-pass", "valid policy, but some MX host fails it (mx_status partial or none-pass)"),
    ]

    /// The category of a domain with a record, nil when it is valid and every MX host passes
    /// (or was not judged).
    public static func category(status: String, mxStatus: String) -> String? {
        switch status {
        case "record-invalid", "policy-fetch-error", "policy-webpki-invalid", "policy-invalid": return status
        case "valid": return mxStatus == "partial" || mxStatus == "none-pass" ? "mx-not-all-pass" : nil
        default: return nil
        }
    }
}

public struct StandardCuts: Sendable {
    public private(set) var all = CutCounts()
    /// The same counters, among mail domains only.
    public private(set) var mailOnly = CutCounts()
    /// Cumulative: index i is rank <= RankBucket.tops[i].
    public private(set) var rankTops = [CutCounts](repeating: CutCounts(), count: RankBucket.tops.count)
    public private(set) var ranked = CutCounts()
    public private(set) var unranked = CutCounts()
    public private(set) var tld: [String: CutCounts] = [:]
    public private(set) var misconfigured: [String: Int] = [:]
    public private(set) var testingWouldFail = 0

    /// A mail domain: the MX lookup gave a host that is not the null MX ".".
    public static func isMailDomain(mxStatus: String, hosts: [String]) -> Bool {
        mxStatus != "null-mx" && mxStatus != "dns-error" && hosts.contains { !$0.isEmpty && $0 != "." }
    }

    /// One scanned domain (the caller skips invalid-input and excluded).
    mutating func add(_ r: ReportRow, hasRecord: Bool, codes: Set<String>, suffix: String) {
        let mail = Self.isMailDomain(mxStatus: r.mxStatus, hosts: r.mx.map(\.host))
        let blocks = codes.contains("enforce-blocks-all-mx")
        func count(_ c: inout CutCounts) { c.add(mail: mail, record: hasRecord, status: r.status, mode: r.mode, blocks: blocks) }
        count(&all)
        if mail { count(&mailOnly) }
        if let rank = r.rank {
            count(&ranked)
            for (i, top) in RankBucket.tops.enumerated() where rank <= top { count(&rankTops[i]) }
        } else {
            count(&unranked)
        }
        count(&tld[suffix, default: CutCounts()])
        if hasRecord, let c = Misconfiguration.category(status: r.status, mxStatus: r.mxStatus) { misconfigured[c, default: 0] += 1 }
        if codes.contains("testing-would-fail") { testingWouldFail += 1 }
    }
}

extension ScanReport {
    /// The standard cuts' tables: mail_domains, rank_buckets, tld, misconfiguration, delivery_impact.
    var cutTables: [Table] {
        let c = stats.cuts, a = c.all, m = c.mailOnly
        var t: [Table] = []
        func row(_ name: String, _ all: Int, _ allDen: Int, _ mail: Int, _ mailDen: Int) -> [Cell] {
            [.text(name), .int(all), share(all, of: allDen), .int(mail), share(mail, of: mailDen)]
        }
        t.append(Table(name: "mail_domains", title: "All scanned domains and mail domains",
                       columns: ["measure", "all_scanned", "share_of_scanned", "mail_domains", "share_of_mail_domains"], rows: [
                           row("domains", a.scanned, a.scanned, m.scanned, a.scanned),
                           row("MTA-STS record", a.record, a.scanned, m.record, m.scanned),
                           row("MTA-STS valid", a.valid, a.scanned, m.valid, m.scanned),
                           row("valid, mode enforce", a.enforce, a.scanned, m.enforce, m.scanned),
                           row("enforce-blocks-all-mx", a.blocksAllMX, a.scanned, m.blocksAllMX, m.scanned),
                       ], note: "mail domains: scanned domains with at least one MX host that is not a null MX (mx_status neither null-mx nor dns-error; an implicit MX counts). Row 'domains': the mail domains' share of all scanned"))

        var ranks: [[Cell]] = RankBucket.tops.indices.compactMap { i in
            // Buckets above the largest rank repeat the one below: shown once, as "all ranked".
            c.rankTops[i].scanned == 0 || (i > 0 && c.rankTops[i] == c.rankTops[i - 1]) ? nil
                : [.text(RankBucket.name(RankBucket.tops[i]))] + c.rankTops[i].cells
        }
        ranks.append([.text("all ranked")] + c.ranked.cells)
        if c.unranked.scanned > 0 { ranks.append([.text("unranked")] + c.unranked.cells) }
        t.append(Table(name: "rank_buckets", title: "Adoption by rank bucket", columns: ["bucket"] + CutCounts.columns, rows: ranks,
                       note: "cumulative buckets of the input's rank (top 10k includes top 1k); a bucket equal to the one before it (the list ends there) is left out; scanned domains only"))

        let tlds = Self.top(c.tld, topN, by: { $0.scanned })
        let shown = Set(tlds.map(\.0))
        var rest = CutCounts()
        for (k, v) in c.tld where !shown.contains(k) {
            rest.scanned += v.scanned; rest.mail += v.mail; rest.record += v.record; rest.recordMail += v.recordMail; rest.valid += v.valid
            rest.enforce += v.enforce; rest.blocksAllMX += v.blocksAllMX
        }
        var tldRows = tlds.map { [.text($0.0)] + $0.1.cells }
        if rest.scanned > 0 { tldRows.append([.text("(other \(c.tld.count - tlds.count))")] + rest.cells) }
        t.append(Table(name: "tld", title: "Adoption by TLD (public suffix)", columns: ["public_suffix"] + CutCounts.columns, rows: tldRows,
                       note: "top \(topN) public suffixes by scanned domains, the rest summed; " + (stats.psl.isList ? "Public Suffix List, ICANN section" : "no Public Suffix List: the last label")))

        let mis = Misconfiguration.categories.map(\.name)
        var misRows: [[Cell]] = mis.map { [.text($0), .int(c.misconfigured[$0] ?? 0), share(c.misconfigured[$0] ?? 0, of: a.record)] }
        let any = c.misconfigured.values.reduce(0, +)
        misRows.append([.text("any of the above"), .int(any), share(any, of: a.record)])
        t.append(Table(name: "misconfiguration", title: "Misconfigured domains among the \(a.record) with an MTA-STS record",
                       columns: ["category", "domains", "share_of_record"], rows: misRows,
                       note: Misconfiguration.categories.map { "\($0.name): \($0.meaning)" }.joined(separator: "; ") + ". One category per domain."))

        t.append(Table(name: "delivery_impact", title: "Delivery impact: mail that compliant senders refuse or would refuse",
                       columns: ["finding", "domains", "share_of_scanned", "share_of_mail_domains", "share_of_record", "share_of_valid_enforce"], rows: [
                           [.text("enforce-blocks-all-mx"), .int(a.blocksAllMX), share(a.blocksAllMX, of: a.scanned), share(m.blocksAllMX, of: m.scanned),
                            share(a.blocksAllMX, of: a.record), share(a.blocksAllMX, of: a.enforce)],
                           [.text("testing-would-fail"), .int(c.testingWouldFail), share(c.testingWouldFail, of: a.scanned), .share(nil),
                            share(c.testingWouldFail, of: a.record), .share(nil)],
                       ], note: "enforce-blocks-all-mx: mode enforce and no MX host passes, compliant senders stop delivering; testing-would-fail: the same in mode testing (reports only)"))
        return t
    }
}
