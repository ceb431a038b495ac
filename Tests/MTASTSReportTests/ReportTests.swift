// `report` counts over the hand-made world of ReportFixture.swift, checked against numbers
// counted by hand from its table; the SQL views against the same numbers; the renderings' shape.
import Foundation
import MTASTSCore
import Testing
@testable import MTASTSReport
@testable import MTASTSStore

@Suite struct ReportTests {
    func report(_ store: ScanStore, _ id: Int64) throws -> ScanReport {
        var stats = ScanStatistics(psl: PublicSuffixList(text: World.psl))
        try store.reportRows(scanID: id) { stats.add($0) }
        let summary = try #require(try store.scans().first { $0.id == id })
        var cross: DiffSummary?
        if let prev = try store.previousScanID(before: id) {
            var d = DiffSummary(oldScan: prev, newScan: id, keepRows: false)
            try store.diffPairs(old: prev, new: id) { d.add($0, $1) }
            cross = d
        }
        return ScanReport(scan: summary, stats: stats, issuers: try store.issuerCounts(scanID: id), crossScan: cross)
    }

    func table(_ r: ScanReport, _ name: String) throws -> Table { try #require(r.tables.first { $0.name == name }) }

    /// A table's rows as "first cell" → the cell at column `column`, for compact expectations.
    func column(_ t: Table, _ column: String) throws -> [String: String] {
        let i = try #require(t.columns.firstIndex(of: column))
        return Dictionary(uniqueKeysWithValues: t.rows.map { ($0[0].display, $0[i].csv) })
    }

    @Test func firstScanCountsMatchTheHandCount() throws {
        let (store, _, s1, _) = try World.build()
        let r = try report(store, s1)
        let s = r.stats
        #expect(s.rows == 8)
        // scanned 7 (the invalid line is not), record 6 (all but f), fetched 6, valid 6.
        #expect(s.funnel == [7, 6, 6, 6])
        #expect(s.mode == ["enforce": 4, "testing": 1, "none": 1])
        #expect(s.status == ["valid": 6, "no-record": 1, "invalid-input": 1])
        #expect(s.mxStatus == ["all-pass": 5, "none-pass": 1, "not-probed": 2])
        #expect(s.blocksAllMX == 1 && s.blocksAllMXList == ["g.example"])
        #expect(s.findingDomains["enforce-blocks-all-mx"] == 1)
        #expect(s.findingDomains["dane-tlsa"] == 1)
        #expect(s.tlsrpt["valid"] == 1)
        // f's MX is on mailhost.co.uk too (not probed); g is its own MX host.
        #expect(s.providers["mailhost.co.uk"]?.all == 6 && s.providers["mailhost.co.uk"]?.record == 5)
        #expect(s.providers["(self-hosted)"]?.all == 1)
        #expect(s.maxAgeValid == [0, 0, 6, 0, 0, 0])
        // Overlap index sts*4 + tlsrpt*2 + dane: a=6, c=5, b d e g=4, f=0.
        #expect(s.overlap == [1, 0, 0, 0, 4, 1, 1, 0])
        #expect(r.crossScan == nil)

        let funnel = try column(try table(r, "funnel"), "domains")
        #expect(funnel["scanned"] == "7" && funnel["record"] == "6" && funnel["policy fetched"] == "6" && funnel["valid"] == "6")
        #expect(funnel["valid, mode enforce"] == "4")
        let shares = try column(try table(r, "funnel"), "share_of_scanned")
        #expect(shares["record"] == "0.857143")
    }

    @Test func secondScanAndItsCrossScanFindings() throws {
        let (store, _, s1, s2) = try World.build()
        let r = try report(store, s2)
        #expect(r.stats.funnel == [8, 5, 4, 4])
        #expect(r.stats.status == ["valid": 4, "no-record": 3, "policy-fetch-error": 1])
        #expect(r.stats.maxAgeValid == [0, 1, 3, 0, 0, 0])
        let cross = try #require(r.crossScan)
        #expect(cross.oldScan == s1)
        #expect(cross.findings == ["mode-changed": 1, "record-removed": 1, "policy-changed-id-unchanged": 1, "policy-id-changed-body-same": 1])
        let t = try column(try table(r, "cross_scan_findings"), "domains")
        #expect(t == ["policy-changed-id-unchanged": "1", "policy-id-changed-body-same": "1", "mode-changed": "1", "record-removed": "1"])
    }

    @Test func viewsAgreeWithTheReport() throws {
        let (store, _, s1, s2) = try World.build()
        for id in [s1, s2] {
            let r = try report(store, id)
            var fromView: [String: Int] = [:]
            try store.db.prepare("SELECT stage, domains FROM v_funnel WHERE scan_id = ? ORDER BY stage_order").query([.int(id)]) {
                fromView[$0.text(0) ?? ""] = Int($0.int(1))
            }
            let fromReport = try column(try table(r, "funnel"), "domains").mapValues { Int($0)! }
            #expect(fromView == fromReport)
        }
        var latest: [String: Int64] = [:]
        try store.db.prepare("SELECT domain, scan_id FROM v_domain_latest").query([]) { latest[$0.text(0) ?? ""] = $0.int(1) }
        #expect(latest.count == 8 && latest["h.example"] == s2 && latest["a.example"] == s2)
    }

    @Test func issuersAreCountedPerRole() throws {
        // No chains in the hand-made evidence: the table is empty, and says so, rather than failing.
        let (store, _, s1, _) = try World.build()
        #expect(try store.issuerCounts(scanID: s1).isEmpty)
        #expect(try table(try report(store, s1), "cert_issuers").text.contains("(none)"))
    }

    @Test func everyCSVHasItsHeaderAndRectangularRows() throws {
        let (store, _, _, s2) = try World.build()
        for t in try report(store, s2).tables {
            let lines = t.csv.components(separatedBy: "\r\n").dropLast()
            #expect(lines.first == t.columns.joined(separator: ","), "\(t.name)")
            #expect(lines.count == t.rows.count + 1)
            // None of these cells needs quoting except where a comma is in the text: count fields by a real parse.
            for line in lines.dropFirst() { #expect(csvFields(line) == t.columns.count, "\(t.name): \(line)") }
        }
    }

    @Test func htmlIsOneSelfContainedFile() throws {
        let (store, _, _, s2) = try World.build()
        let html = HTMLReport.page(try report(store, s2))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg").count - 1 >= 5)
        for forbidden in ["http://", "https://", "src=", "<link", "@import", "url(", "<script"] {
            #expect(!html.contains(forbidden), "\(forbidden)")
        }
        // Every table is in the page.
        #expect(html.contains("id=\"funnel\"") && html.contains("id=\"enforce_blocks_all_mx\""))
    }

    @Test func textTablesAlignNumbersRight() {
        let t = Table(name: "x", title: "T", columns: ["k", "n"], rows: [[.text("a"), .int(5)], [.text("bb"), .int(123)]])
        #expect(t.text == "T\n=\nk     n\n--  ---\na     5\nbb  123\n")
        #expect(share(1, of: 0) == .share(nil) && Cell.share(nil).display == "–" && Cell.share(nil).csv == "")
        #expect(Cell.share(1.0 / 3).csv == "0.333333" && Cell.share(0.0005).display == "0.050%")
        #expect(utc(1_750_000_000) == "2025-06-15 15:06:40Z" && utc(951_782_400) == "2000-02-29 00:00:00Z" && utc(0) == "1970-01-01 00:00:00Z")
    }
}

/// Fields of one RFC 4180 line.
func csvFields(_ line: String) -> Int {
    var n = 1, quoted = false
    for c in line { if c == "\"" { quoted.toggle() } else if c == "," && !quoted { n += 1 } }
    return n
}
