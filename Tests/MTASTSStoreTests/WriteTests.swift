// The batched writer and what --resume relies on: rows come back as written, a line is never
// stored twice, the resumable scan is found by input hash, the stored line numbers are a bitset.
import Foundation
import MTASTSCore
import Testing
@testable import MTASTSStore

@Suite struct WriteTests {
    @Test func batchWriteReadsBack() throws {
        let (store, _) = try Fixture.newStore()
        let scan = try store.beginScan(Fixture.meta())
        let records = (1...500).map { Fixture.record($0, $0 % 2 == 0 ? Fixture.validEvidence("v\($0).example") : Fixture.noRecordEvidence("n\($0).example"), rank: $0) }
        #expect(try store.write(records, scanID: scan) == 500)
        let lines = try Fixture.exportLines(store, scanID: scan)
        #expect(lines.count == 500)
        #expect(lines == records.map { ExportRow(record: $0).jsonLine })
        // The evidence comes back whole: policy body, TXT strings, every probe.
        let row = try #require(try store.domainRowID(scanID: scan, lineNo: 2))
        #expect(try store.evidence(domainRowID: row) == records[1].evidence)
    }

    @Test func aLineIsStoredOnceAndTheFirstWriteWins() throws {
        let (store, _) = try Fixture.newStore()
        let scan = try store.beginScan(Fixture.meta())
        let first = Fixture.record(7, Fixture.validEvidence("first.example"))
        let second = Fixture.record(7, Fixture.noRecordEvidence("second.example"))
        #expect(try store.write([first], scanID: scan) == 1)
        #expect(try store.write([second, Fixture.record(8, Fixture.noRecordEvidence())], scanID: scan) == 1)
        #expect(try Fixture.count(store, "SELECT count(*) FROM domains") == 2)
        #expect(try Fixture.exportLines(store, scanID: scan).first == ExportRow(record: first).jsonLine)
        // The skipped duplicate left no children behind.
        #expect(try Fixture.count(store, "SELECT count(*) FROM evidence") == 2)
        // And the constraint itself is in the schema, not only in the writer.
        #expect(throws: StoreError.self) {
            try store.db.exec("INSERT INTO domains(scan_id, line_no, input, status, mx_status) VALUES (\(scan), 7, 'x', 'valid', 'not-probed')")
        }
    }

    @Test func theSameLineInAnotherScanIsAnotherRow() throws {
        let (store, _) = try Fixture.newStore()
        let a = try store.beginScan(Fixture.meta("a")), b = try store.beginScan(Fixture.meta("b"))
        try store.write([Fixture.record(1, Fixture.noRecordEvidence())], scanID: a)
        try store.write([Fixture.record(1, Fixture.noRecordEvidence())], scanID: b)
        #expect(try Fixture.count(store, "SELECT count(*) FROM domains") == 2)
    }

    @Test func resumeFindsTheNewestUnfinishedScanOfTheSameInput() throws {
        let (store, _) = try Fixture.newStore()
        let sha = String(repeating: "1f", count: 32)
        let old = try store.beginScan(Fixture.meta(sha: sha))
        let newer = try store.beginScan(Fixture.meta(sha: sha))
        _ = try store.beginScan(Fixture.meta(sha: String(repeating: "00", count: 32)))
        #expect(try store.findResumableScan(inputSHA256: sha) == newer)
        try store.finishScan(id: newer, counts: ScanCounts(linesRead: 3, domains: 2, invalid: 1, duplicates: 0, excluded: 0))
        #expect(try store.findResumableScan(inputSHA256: sha) == old)
        #expect(try store.findResumableScan(inputSHA256: sha, shardCount: 4, shardIndex: 1) == nil)
        #expect(try store.findResumableScan(inputSHA256: sha, label: "other") == nil)
        let listed = try store.scans()
        #expect(listed.map(\.id) == [old, newer, newer + 1])
        #expect(listed[1].counts == ScanCounts(linesRead: 3, domains: 2, invalid: 1, duplicates: 0, excluded: 0))
        #expect(listed[1].meta == Fixture.meta(sha: sha))
        #expect(listed[0].finishedAt == nil && listed[0].counts == nil)
    }

    @Test func completedLineNumbersAreABitset() throws {
        let (store, _) = try Fixture.newStore()
        let scan = try store.beginScan(Fixture.meta())
        let lines = [1, 2, 3, 64, 65, 1000, 99_999]
        try store.write(lines.map { Fixture.record($0, Fixture.noRecordEvidence("l\($0).example")) }, scanID: scan)
        let done = try store.completedLineNumbers(scanID: scan)
        #expect(done.count == lines.count)
        for n in 0...100_001 { #expect(done.contains(n) == lines.contains(n)) }
        #expect(done.max == 99_999)
        // One bit per line up to the highest: 100k lines in ~12.5 KB.
        #expect(done.byteSize <= 100_000 / 8 + 8)
    }

    @Test func lineSetAtAMillionLines() {
        var s = LineSet()
        for n in stride(from: 1, through: 1_000_000, by: 1) { s.insert(n) }
        s.insert(5)
        #expect(s.count == 1_000_000)
        #expect(s.byteSize <= 125_008)
        #expect(s.contains(1_000_000) && !s.contains(0) && !s.contains(1_000_001) && !s.contains(-1))
    }

    /// mx_hosts rows go in several per INSERT (WriteStatements.mxHosts): every count up to two
    /// statements' worth and one more comes back as the verdict has it, in order.
    @Test func everyMXHostIsStoredInOrder() throws {
        let (store, _) = try Fixture.newStore()
        let scan = try store.beginScan(Fixture.meta())
        let most = 2 * WriteStatements.mxHostRowsMax + 1
        let records = (0...most).map { n in
            var r = Fixture.record(n + 1, Fixture.noRecordEvidence("m\(n).example"))
            r.verdict.mx = (0..<n).map { MXHostVerdict(host: "mx\($0).m\(n).example", preference: 10 * $0,
                                                      result: $0 % 3 == 0 ? nil : $0 % 3 == 1 ? .pass : .unreachable) }
            return r
        }
        #expect(try store.write(records, scanID: scan) == records.count)
        for r in records {
            let id = try #require(try store.domainRowID(scanID: scan, lineNo: r.lineNo))
            var stored: [MXHostVerdict] = []
            var ordinals: [Int] = []
            try store.db.prepare("SELECT ordinal, host, preference, result FROM mx_hosts WHERE domain_id = ? ORDER BY ordinal")
                .query([.int(id)]) {
                    ordinals.append(Int($0.int(0)))
                    stored.append(MXHostVerdict(host: $0.text(1) ?? "", preference: Int($0.int(2)),
                                                result: $0.text(3).flatMap(MXResult.init(rawValue:))))
                }
            #expect(stored == r.verdict.mx)
            #expect(ordinals == Array(0..<r.verdict.mx.count))
        }
    }

    @Test func invalidAndExcludedRowsAreStored() throws {
        let (store, _) = try Fixture.newStore()
        let scan = try store.beginScan(Fixture.meta())
        try store.write([DomainRecord.invalidInput(lineNo: 1, input: "not a domain!"),
                         DomainRecord.excluded(lineNo: 2, input: "gov.example", domain: "gov.example")], scanID: scan)
        let rows = try Fixture.exportLines(store, scanID: scan).map(Fixture.object)
        #expect(rows.map { $0["status"] as? String } == ["invalid-input", "excluded"])
        #expect(try Fixture.count(store, "SELECT count(*) FROM evidence") == 0)
    }
}
