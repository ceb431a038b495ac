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

/// Outcome words are judged from stored raw facts (issue 15): a scan stored with a wrong word is
/// mended by reclassify alone, and `timeoutMillis` judges as a shorter --timeout would have.
@Suite struct ReclassifyFactsTests {
    /// The primary MX host greeted with 421 (RFC 5321 §3.8: the server sheds load), but the word
    /// stored with it is `tls-handshake-failed`, as a wrong mapping at scan time would have made it.
    static func staleScan() throws -> (ScanStore, Int64) {
        var e = Fixture.validEvidence("example.com")
        let facts = TransferFacts(curlCode: 8, curlText: "Got 421 response", primaryIP: "192.0.2.1", timeoutMillis: 10_000,
                                  connectMicros: 300, totalMicros: 900,
                                  replies: [SMTPReply(code: 421, line: "421 4.3.2 busy", micros: 800)])
        e.mx!.hosts[0].probes = [SMTPProbeEvidence(address: "192.0.2.1", outcome: .tlsHandshakeFailed, banner: "421 4.3.2 busy",
                                                   millis: 1, facts: facts)]
        let (store, _) = try Fixture.newStore()
        let scan = try store.beginScan(Fixture.meta())
        try store.write([Fixture.record(1, e)], scanID: scan)
        return (store, scan)
    }

    static func hostResults(_ store: ScanStore, _ scan: Int64) throws -> [String: String] {
        let row = try Fixture.object(try #require(try Fixture.exportLines(store, scanID: scan).first))
        let hosts = try #require(row["mx"] as? [[String: Any]])
        var out: [String: String] = [:]
        for h in hosts { out[h["host"] as? String ?? "?"] = h["result"] as? String ?? "null" }
        return out
    }

    @Test func aWrongStoredWordIsMendedByReclassifyAlone() throws {
        let (store, scan) = try Self.staleScan()
        // As stored: the stale word decided a TLS failure.
        #expect(try Self.hostResults(store, scan)["mail.example.com"] == "tls-failure")
        let r = try store.reclassify(scanID: scan)
        #expect(r.reclassified == 1 && r.changed == 1)
        // docs/VERDICTS.md: a 4xx/5xx greeting is greeting-rejected, and the host unreachable.
        #expect(try Self.hostResults(store, scan)["mail.example.com"] == "unreachable")
        let codes = try Fixture.exportLines(store, scanID: scan).first ?? ""
        #expect(codes.contains("greeting-rejected"), "\(codes)")
    }

    @Test func withoutFactsTheStoredWordStands() throws {
        let (store, scan) = try Self.staleScan()
        // Format 1 evidence has no facts: strip them from the stored JSON.
        try store.db.exec("UPDATE evidence SET json = json_remove(json, '$.mx.hosts[0].probes[0].facts'), format = 1")
        _ = try store.reclassify(scanID: scan)
        #expect(try Self.hostResults(store, scan)["mail.example.com"] == "tls-failure")
    }

    @Test func aShorterTimeoutJudgesSlowStepsAsTimeouts() throws {
        var e = Fixture.validEvidence("example.com")
        // The primary host answered everything, but only after 3 s.
        let slow = TransferFacts(curlCode: 0, timeoutMillis: 10_000, connectMicros: 100, tlsMicros: 3_100_000, firstByteMicros: 3_200_000,
                                 totalMicros: 3_300_000, tlsVersion: "TLSv1.3", tlsSeenMicros: 3_150_000,
                                 replies: [SMTPReply(code: 220, line: "220 hi", micros: 3_000_000)])
        e.mx!.hosts[0].probes[0].facts = slow
        let (store, _) = try Fixture.newStore()
        let scan = try store.beginScan(Fixture.meta())
        try store.write([Fixture.record(1, e)], scanID: scan)
        let before = try Fixture.exportLines(store, scanID: scan)
        #expect(try store.reclassify(scanID: scan, timeoutMillis: 5000).changed == 0)
        #expect(try store.reclassify(scanID: scan, timeoutMillis: 2000).changed == 1)
        #expect(try Self.hostResults(store, scan)["mail.example.com"] == "unreachable")
        #expect(try Fixture.exportLines(store, scanID: scan).first?.contains("timeout") == true)
        // The policy response came after 3 s too: under 2 s there was none, and the verdict's
        // columns say so (they are bound from the evidence as judged, not as stored).
        var withSlowPolicy = e
        withSlowPolicy.policyFetch?.facts = TransferFacts(curlCode: 0, timeoutMillis: 10_000, tlsMicros: 1000, firstByteMicros: 3_000_000,
                                                          totalMicros: 3_000_100, tlsVersion: "TLSv1.3", tlsSeenMicros: 1100)
        let scan2 = try store.beginScan(Fixture.meta("slow policy"))
        try store.write([Fixture.record(1, withSlowPolicy)], scanID: scan2)
        _ = try store.reclassify(scanID: scan2, timeoutMillis: 2000)
        let row = try Fixture.object(try #require(try Fixture.exportLines(store, scanID: scan2).first))
        #expect(row["status"] as? String == "policy-fetch-error")
        let policy = try #require(row["policy"] as? [String: Any])
        #expect(policy["http_status"] is NSNull && policy["content_type"] is NSNull, "\(policy)")
        // Without --timeout again: back to what was stored.
        _ = try store.reclassify(scanID: scan)
        #expect(try Fixture.exportLines(store, scanID: scan) == before)
    }
}
