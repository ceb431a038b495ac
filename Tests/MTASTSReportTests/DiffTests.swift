// `diff` between the two scans of ReportFixture.swift: every transition and the four cross-scan
// findings, counted by hand from the fixture's table.
import Foundation
import Testing
@testable import MTASTSReport
@testable import MTASTSStore

@Suite struct DiffTests {
    func diff() throws -> DiffSummary {
        let (store, _, s1, s2) = try World.build()
        var d = DiffSummary(oldScan: s1, newScan: s2, keepRows: true)
        try store.diffPairs(old: s1, new: s2) { d.add($0, $1) }
        return d
    }

    @Test func transitionsMatchTheHandCount() throws {
        let d = try diff()
        // a..h: 8 names; f and g did not change.
        #expect(d.compared == 8)
        #expect(d.changedDomains == 6)
        #expect(d.transitions["status"] == ["valid -> no-record": 1, "valid -> policy-fetch-error": 1])
        #expect(d.transitions["mode"] == ["testing -> enforce": 1])
        #expect(d.transitions["mx_status"] == ["all-pass -> not-probed": 1])
        #expect(d.transitions["record"] == ["record removed": 1])
        #expect(d.transitions["policy_id"] == ["policy id changed": 2])      // a, d
        #expect(d.transitions["policy_body"] == ["policy body changed": 3])  // a, c, e
        #expect(d.transitions["domain"] == ["domain added": 1])              // h
        #expect(d.transitions["mx_set"] == nil)
    }

    @Test func theFourCrossScanFindings() throws {
        let d = try diff()
        func codes(_ domain: String) -> [String] { d.rows.filter { $0.domain == domain && $0.change.kind == "finding" }.compactMap(\.change.code) }
        #expect(codes("a.example") == ["mode-changed"])
        #expect(codes("b.example") == ["record-removed"])
        #expect(codes("c.example") == ["policy-changed-id-unchanged"])
        #expect(codes("d.example") == ["policy-id-changed-body-same"])
        #expect(codes("e.example").isEmpty) // not valid in the new scan: a status change, not a policy finding
        let sev = Dictionary(uniqueKeysWithValues: d.rows.filter { $0.change.kind == "finding" }.map { ($0.change.code!, $0.change.severity!) })
        #expect(sev == ["mode-changed": "info", "record-removed": "warning", "policy-changed-id-unchanged": "error", "policy-id-changed-body-same": "info"])
        let mode = try #require(d.rows.first { $0.change.code == "mode-changed" })
        #expect(mode.change.old == "testing" && mode.change.new == "enforce")
    }

    @Test func aDNSErrorIsNotARemoval() {
        let old = DiffSide(domain: "x.example", status: "valid", mode: "enforce", mxStatus: "all-pass", recordID: "1")
        let new = DiffSide(domain: "x.example", status: "dns-error", mxStatus: "not-probed")
        let changes = DomainDiff.compare(old, new)
        #expect(!changes.contains { $0.kind == "record" || $0.code == "record-removed" })
        #expect(changes.contains { $0.transition == "valid -> dns-error" })
    }

    @Test func csvIsOneRowPerChange() throws {
        let d = try diff()
        let lines = d.csv.components(separatedBy: "\r\n").dropLast()
        #expect(lines.first == DiffSummary.csvHeader.joined(separator: ","))
        #expect(lines.count == d.rows.count + 1)
        #expect(lines.contains { $0.hasSuffix(",c.example,finding,policy-changed-id-unchanged,1,1,policy-changed-id-unchanged,error") })
        let table = d.transitionTable
        #expect(table.rows.contains { $0[1] == .text("testing -> enforce") && $0[2] == .int(1) })
    }
}
