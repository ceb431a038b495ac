// Small shares, the trends chart's axes and positions, standalone figure files, IDN rules of the
// Public Suffix List, and the standard cuts on hand-made rows. Expected values are worked out by
// hand in the comments, never printed by the code under test and pasted.
import Foundation
import MTASTSCore
import Testing
@testable import MTASTSReport
@testable import MTASTSStore

@Suite struct FiguresTests {
    @Test(arguments: [
        (2.0 / 9989, "0.020%"),     // 0.02002%: two significant digits, not 0.0%
        (1.0 / 1_000_000, "0.0001%"),
        (0.005, "0.50%"),
        (0.0123, "1.2%"),
        (0.99996 / 100, "1.0%"),    // would round to 1.00%: from 1% on, one decimal
        (0.5, "50.0%"),
        (0.0, "0.0%"),
    ])
    func smallSharesKeepTheirDigits(_ x: Double, _ want: String) {
        #expect(Cell.share(x).display == want)
    }

    /// Scans a month apart and then a day: x by date, not by position; y scaled to 0..2%.
    @Test func trendsChartPlacesScansByDateAndScalesY() throws {
        let day: Int64 = 86_400, t0: Int64 = 1_750_000_000
        let chart = LineChart(series: [.init("record", "#000", [0.009, 0.0175, 0.0175])],
                              times: [t0, t0 + 30 * day, t0 + 31 * day], yTitle: "share", title: "t")
        let svg = chart.svg
        // 1.75% * 1.08 = 1.89% -> steps of 0.5% (niceStep(1.89%/5 = 0.38%) = 0.5%), last tick 2.0% (one decimal, as 0.5%)
        #expect(chart.axis.hi == 0.02)
        #expect(svg.contains(">2.0%<") && svg.contains(">0.5%<") && !svg.contains(">100%<"))
        let pts = try #require(svg.split(separator: "points=\"").dropFirst().first?.prefix { $0 != "\"" })
        let xy = pts.split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
        #expect(xy.count == 3)
        // x: 30 days then 1 day: the second gap is 1/30 of the first
        let g1 = xy[1][0] - xy[0][0], g2 = xy[2][0] - xy[1][0]
        #expect(abs(g2 * 30 - g1) < 1)
        // y: plot from y=16 to y=290 (height 360 - 70): 0.9% is 0.45 of 2%, 1.75% is 0.875
        #expect(abs(xy[0][1] - (290 - 0.45 * 274)) < 0.2 && abs(xy[1][1] - (290 - 0.875 * 274)) < 0.2)
        // the whole date of each scan (two a day apart are far enough apart to both print only if
        // 96 px apart: here the last one is skipped, its tick stays)
        #expect(svg.contains(">\(utc(t0).prefix(10))<") && svg.contains(">\(utc(t0 + 30 * day).prefix(10))<"))
        #expect(svg.components(separatedBy: "stroke=\"#64748b\"").count - 1 == 3)
    }

    @Test func logAxisSpansTheDecadesOfTheData() {
        let a = LineChart.logAxis([0.0002, 0.03])
        #expect(a.lo == 0.0001 && abs(a.hi - 0.1) < 1e-12)
        #expect(a.ticks.first == 0.0001 && a.ticks.contains { abs($0 - 0.05) < 1e-12 })
        #expect(abs(log10Pure(1000) - 3) < 1e-9 && abs(log10Pure(0.02) - log10(0.02)) < 1e-9)
    }

    /// Found by attacking: `trends --log-y` on scans of no domain trapped (log of 0 -> NaN -> Int).
    @Test func chartsOfNothingDoNotTrap() {
        for logY in [false, true] {
            for values in [[Double?](), [nil, nil], [0, 0], [0.5]] {
                let svg = LineChart(series: [.init("s", "#000", values)], times: values.indices.map { Int64($0) * 86_400 },
                                    yTitle: "y", logY: logY, title: "t").svg
                #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
            }
        }
        #expect(Cell.fixed(.nan, 1) == "–" && Cell.fixed(.infinity, 2) == "–")
    }

    @Test func figureFileIsStandaloneSVGWithItsCaption() {
        let t = Table(name: "x", title: "X", columns: ["k", "n"], rows: [[.text("a"), .int(1)]])
        let f = Figure(name: "x", text: "What it shows & more.", source: "scan 1", svg: SVG.horizontalBars([.init("a", 1)], title: "x"), data: t)
        let file = f.svgFile
        #expect(file.hasPrefix("<?xml") && file.contains("xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(file.contains("What it shows &amp; more. Source: scan 1.") && f.captionLine == "x.svg: What it shows & more. Source: scan 1.\n")
        #expect(!file.contains("width=\"100%\" role"))   // the nested chart has its own size
        // well-formed as XML is checked by Tests/E2E/cuts.sh (Python's parser); here: nesting
        #expect(file.components(separatedBy: "<svg").count == file.components(separatedBy: "</svg>").count)
    }

    /// IDN rules are in Unicode in the list and compared in A-label form: 公司.cn is xn--55qx5d.cn.
    @Test func idnRulesMatchALabels() {
        let psl = PublicSuffixList(text: "// VERSION: 2026-01-01_00-00-00_UTC\n// ===BEGIN ICANN DOMAINS===\ncn\n公司.cn\n*.ck\n// ===END ICANN DOMAINS===\n")
        #expect(psl.registrableDomain("mail.example.xn--55qx5d.cn") == "example.xn--55qx5d.cn")
        #expect(psl.publicSuffix("mail.example.xn--55qx5d.cn") == "xn--55qx5d.cn")
        #expect(psl.publicSuffix("a.b.ck") == "b.ck" && psl.publicSuffix("x.test") == "test")
        #expect(psl.version == "VERSION: 2026-01-01_00-00-00_UTC" && psl.ruleCount == 3)
    }

    /// Eight hand-made rows; every number below is counted by hand from them.
    @Test func standardCutsCountByHand() throws {
        func row(_ d: String?, _ rank: Int?, _ status: String, mode: String? = nil, mx: String = "not-probed",
                 hosts: [String] = ["mx.p.com"], codes: [String] = []) -> ReportRow {
            ReportRow(domain: d, status: status, mode: mode, mxStatus: mx, findings: codes.map { .init(code: $0, severity: "error") },
                      mx: hosts.map { .init(host: $0, result: nil) }, rank: rank)
        }
        var s = ScanStatistics(psl: PublicSuffixList(text: World.psl))
        for r in [
            row("a.com", 1, "valid", mode: "enforce", mx: "all-pass"),
            row("b.co.uk", 2, "valid", mode: "enforce", mx: "none-pass", codes: ["enforce-blocks-all-mx"]),
            row("c.com", 5_000, "policy-fetch-error", mx: "all-pass"),
            row("d.com", 20_000, "no-record", mx: "null-mx", hosts: ["."]),
            row("h.com", 20_002, "record-invalid", mx: "null-mx", hosts: ["."]),   // a record, but takes no mail
            row("e.co.uk", 20_001, "no-record"),
            row("f.com", nil, "valid", mode: "testing", mx: "partial"),
            row(nil, 3, "invalid-input", hosts: []),
            row("g.com", 4, "excluded", hosts: []),
        ] { s.add(r) }
        let c = s.cuts
        // scanned: a b c d e f h (7); mail: all but d and h (null MX) = 5; record: a b c f h = 5, of
        // them mail domains: a b c f = 4
        #expect(c.all == CutCounts(scanned: 7, mail: 5, record: 5, recordMail: 4, valid: 3, enforce: 2, blocksAllMX: 1))
        #expect(c.mailOnly.scanned == 5 && c.mailOnly.record == 4)
        // top 1k: a b (ranks 1, 2; the invalid line and the excluded one are not scanned); top 10k: + c
        #expect(c.rankTops[0].scanned == 2 && c.rankTops[1].scanned == 3 && c.rankTops[2].scanned == 6 && c.rankTops[3].scanned == 6)
        #expect(c.unranked.scanned == 1 && c.ranked.scanned == 6)
        #expect(c.tld["com"]?.scanned == 5 && c.tld["co.uk"]?.scanned == 2 && c.tld["co.uk"]?.blocksAllMX == 1)
        // misconfigured among 5 with record: c (policy-fetch-error), h (record-invalid), b and f (valid, MX not all pass)
        #expect(c.misconfigured == ["policy-fetch-error": 1, "record-invalid": 1, "mx-not-all-pass": 2])
        let summary = ScanSummary(id: 1, meta: ScanMeta(label: "l", flags: "{}", inputName: "-", inputSHA256: "", startedAt: 0),
                                  finishedAt: nil, counts: nil, storedDomains: 8)
        let r = ScanReport(scan: summary, stats: s, issuers: [], crossScan: nil)
        let rb = try #require(r.tables.first { $0.name == "rank_buckets" })
        // top 100k and top 1M equal each other (5 domains): the 1M row is left out
        #expect(rb.rows.map { $0[0].display } == ["top 1k", "top 10k", "top 100k", "all ranked", "unranked"])
        // top 100k: a b c d e h; mail a b c e (4), of which with a record a b c (3): 0.75 (h has a
        // record but takes no mail: it is not in the numerator)
        let col = try #require(rb.columns.firstIndex(of: "record_share_of_mail"))
        #expect(rb.rows[2][col].csv == "0.750000")
        let di = try #require(r.tables.first { $0.name == "delivery_impact" })
        // 1 of 7 scanned, 1 of 5 mail domains, 1 of 5 with record, 1 of 2 valid enforce
        #expect(di.rows[0].map(\.csv) == ["enforce-blocks-all-mx", "1", "0.142857", "0.200000", "0.200000", "0.500000"])
        #expect(r.figures.count == 12 && r.figures.allSatisfy { f in r.tables.contains { $0.name == f.data.name } })
    }

    /// The DNS-operator axis on hand-made rows; every number counted by hand. The rule for a mixed
    /// NS set: the domain counts once for each operator.
    @Test func dnsOperatorsCountByHand() throws {
        func row(_ d: String, _ status: String, mode: String? = nil, mx: String = "all-pass", lookup: String? = "NOERROR",
                 ns: [String]) -> ReportRow {
            var r = ReportRow(domain: d, status: status, mode: mode, mxStatus: mx, mx: [.init(host: "mx.p.com", result: "pass")])
            r.nsLookup = lookup
            r.nsHosts = ns
            return r
        }
        let psl = PublicSuffixList(text: World.psl)
        var s = ScanStatistics(psl: psl)
        for r in [
            row("a.com", "valid", mode: "enforce", ns: ["ns1.dns.com", "NS2.DNS.COM."]),            // dns.com once
            row("b.co.uk", "valid", mode: "testing", mx: "none-pass", ns: ["ns1.dns.com", "ns.other.co.uk"]),   // mixed
            row("c.com", "policy-fetch-error", ns: ["ns1.c.com", "ns2.c.com"]),                     // self-hosted
            row("d.com", "valid", mode: "enforce", lookup: "SERVFAIL", ns: []),
            row("e.com", "record-invalid", lookup: "NOERROR", ns: []),
            row("f.com", "valid", mode: "none", lookup: nil, ns: []),                              // stored before NS
            row("g.com", "no-record", ns: ["ns1.dns.com"]),                                         // no record: not counted
        ] { s.add(r) }
        #expect(s.dnsOperators["dns.com"] == ProviderCounts(record: 2, valid: 2, enforce: 1, misconfigured: 1))
        #expect(s.dnsOperators["other.co.uk"] == ProviderCounts(record: 1, valid: 1, enforce: 0, misconfigured: 1))
        #expect(s.dnsOperators["(self-hosted)"] == ProviderCounts(record: 1, valid: 0, enforce: 0, misconfigured: 1))
        #expect(s.dnsOperators["(lookup failed)"]?.record == 1 && s.dnsOperators["(no NS)"]?.misconfigured == 1)
        #expect(s.dnsOperators["(not looked up)"]?.valid == 1 && s.dnsOperators.count == 6)
        let summary = ScanSummary(id: 1, meta: ScanMeta(label: "l", flags: "{}", inputName: "-", inputSHA256: "", startedAt: 0),
                                  finishedAt: nil, counts: nil, storedDomains: 7)
        let t = try #require(ScanReport(scan: summary, stats: s, issuers: [], crossScan: nil).tables.first { $0.name == "dns_operators" })
        // 6 domains with a record; dns.com first (2), then the ones by name
        #expect(t.rows[0].map(\.csv) == ["dns.com", "2", "0.333333", "2", "1", "1", "0.500000"])
        #expect(DNSOperator.of(domain: "x.test", lookup: "NXDOMAIN", hosts: ["."], psl: psl) == ["(no NS)"])
    }

    /// At about 1% adoption a 20k list's 6 invalid lines and 5 exclusions outnumber each
    /// misconfigured status: the status chart must still draw the statuses of adoption (found in
    /// the Chromium screenshot of a 1% world, where it showed one status besides valid).
    @Test func trendsStatusChartDrawsAdoptionStatusesAtOnePercent() throws {
        let meta = ScanMeta(label: "l", flags: "{}", inputName: "-", inputSHA256: "x", startedAt: 1_750_000_000)
        let scan = ScanSummary(id: 1, meta: meta, finishedAt: nil, counts: nil, storedDomains: 20_000)
        let counts = [("no-record", 19_780), ("valid", 190), ("policy-webpki-invalid", 8), ("invalid-input", 6), ("excluded", 5),
                      ("policy-fetch-error", 3), ("policy-invalid", 2), ("dns-error", 1)]
            .map { TrendCount(scanID: 1, status: $0.0, mode: $0.0 == "valid" ? "enforce" : nil, tlsrptValid: false, dane: false, domains: $0.1) }
        let t = Trends(scans: [scan], counts: counts)
        #expect(t.chartStatuses == ["policy-webpki-invalid", "policy-fetch-error", "policy-invalid", "dns-error"])
        let chart = try #require(t.figures.first { $0.name == "trends_status" })
        for st in ["valid", "policy-webpki-invalid", "policy-fetch-error", "policy-invalid", "dns-error"] {
            #expect(chart.svg.contains(">\(st) "), "\(st) is drawn")
        }
        #expect(!chart.svg.contains(">invalid-input ") && !chart.svg.contains(">excluded "))
        // the table and its CSV keep the most frequent statuses of all rows, as documented
        #expect(t.topStatuses == ["policy-webpki-invalid", "invalid-input", "excluded", "policy-fetch-error"])
    }
}
