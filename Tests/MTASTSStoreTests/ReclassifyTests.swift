// Reclassify reruns the pure classifier over stored evidence: it reproduces what the scan stored,
// and repairs verdict columns and findings that no longer match the evidence.
import Foundation
import MTASTSCore
import Testing
@testable import MTASTSStore

@Suite struct ReclassifyTests {
    @Test func reproducesTheStoredVerdicts() throws {
        let (store, scan, records) = try ExportTests.seeded()
        let before = try Fixture.exportLines(store, scanID: scan)
        let r = try store.reclassify(scanID: scan, batchSize: 1)
        #expect(r.reclassified == 2)        // the invalid-input row has no evidence
        #expect(r.changed == 0)
        #expect(try Fixture.exportLines(store, scanID: scan) == before)
        #expect(before == records.map { ExportRow(record: $0).jsonLine })
    }

    @Test func rewritesVerdictsThatDoNotMatchTheEvidence() throws {
        let (store, scan, _) = try ExportTests.seeded()
        let before = try Fixture.exportLines(store, scanID: scan)
        // As if an older classifier had decided differently.
        try store.db.exec("UPDATE domains SET status = 'policy-invalid', mode = NULL, mx_status = 'none-pass' WHERE line_no = 3")
        try store.db.exec("DELETE FROM findings")
        try store.db.exec("DELETE FROM mx_hosts")
        #expect(try Fixture.exportLines(store, scanID: scan) != before)
        let r = try store.reclassify(scanID: scan)
        #expect(r.reclassified == 2 && r.changed == 1)
        #expect(try Fixture.exportLines(store, scanID: scan) == before)
    }

    @Test func onlyTheChosenScanIsTouched() throws {
        let (store, scan, _) = try ExportTests.seeded()
        let other = try store.beginScan(Fixture.meta("other"))
        try store.write([Fixture.record(1, Fixture.validEvidence())], scanID: other)
        #expect(try store.reclassify(scanID: scan).reclassified == 2)
        #expect(try store.reclassify(scanID: other).reclassified == 1)
    }
}
