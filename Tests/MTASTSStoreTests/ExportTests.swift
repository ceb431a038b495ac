// The export contract of docs/CLI.md: every key present, null when unknown; values as the
// contract and VERDICTS.md say, stated here by hand, not recomputed with the exporter's code.
import Foundation
import MTASTSCore
import Testing
@testable import MTASTSStore

@Suite struct ExportTests {
    static let topKeys: Set<String> = ["domain", "input", "rank", "status", "mode", "mx_status", "findings",
                                       "record", "policy", "mx", "tlsrpt", "dane"]

    /// Invalid input, no record, valid with findings: lines 1, 2, 3.
    static func seeded() throws -> (ScanStore, Int64, [DomainRecord]) {
        let (store, _) = try Fixture.newStore()
        let scan = try store.beginScan(Fixture.meta())
        let records = [
            DomainRecord.invalidInput(lineNo: 1, input: "not a domain!", rank: 1),
            Fixture.record(2, Fixture.noRecordEvidence("plain.example"), rank: 2),
            Fixture.record(3, Fixture.validEvidence("example.com"), rank: 3),
        ]
        // Written out of order, as a concurrent pipeline finishes them: exported in line order.
        try store.write([records[2], records[0], records[1]], scanID: scan)
        return (store, scan, records)
    }

    func isNull(_ v: Any?) -> Bool { v is NSNull }

    @Test func everyKeyIsPresentAndUnknownIsNull() throws {
        let (store, scan, _) = try Self.seeded()
        let rows = try Fixture.exportLines(store, scanID: scan).map(Fixture.object)
        #expect(rows.count == 3)
        for row in rows {
            #expect(Set(row.keys) == Self.topKeys)
            #expect(Set((row["record"] as? [String: Any] ?? [:]).keys) == ["id", "raw"])
            #expect(Set((row["policy"] as? [String: Any] ?? [:]).keys) == ["max_age", "mx", "http_status", "content_type"])
            #expect(Set((row["tlsrpt"] as? [String: Any] ?? [:]).keys) == ["status", "rua"])
            #expect(Set((row["dane"] as? [String: Any] ?? [:]).keys) == ["status", "delivery"])
        }

        let invalid = rows[0]
        #expect(isNull(invalid["domain"]))
        #expect(invalid["input"] as? String == "not a domain!")
        #expect(invalid["status"] as? String == "invalid-input")
        #expect(isNull(invalid["mode"]))
        #expect(invalid["mx_status"] as? String == "not-probed")
        #expect((invalid["findings"] as? [Any])?.isEmpty == true)
        #expect(isNull(invalid["mx"]))
        let ip = invalid["policy"] as! [String: Any]
        #expect(isNull(ip["max_age"]) && isNull(ip["mx"]) && isNull(ip["http_status"]) && isNull(ip["content_type"]))
        let it = invalid["tlsrpt"] as! [String: Any]
        #expect(isNull(it["status"]) && isNull(it["rua"]))

        let none = rows[1]
        #expect(none["domain"] as? String == "plain.example")
        #expect(none["rank"] as? Int == 2)
        #expect(none["status"] as? String == "no-record")
        #expect(isNull(none["mode"]))
        #expect(none["mx_status"] as? String == "not-probed")
        let nr = none["record"] as! [String: Any]
        #expect(isNull(nr["id"]) && isNull(nr["raw"]))
        let nmx = none["mx"] as? [[String: Any]] ?? []
        #expect(nmx.count == 1)
        #expect(nmx.first?["host"] as? String == "mx.provider.example")
        #expect(nmx.first?["preference"] as? Int == 5)
        #expect(isNull(nmx.first?["result"]))
        #expect((none["tlsrpt"] as? [String: Any])?["status"] as? String == "absent")
    }

    @Test func aValidRowHasItsPolicyMXAndFindings() throws {
        let (store, scan, _) = try Self.seeded()
        let row = try Fixture.object(try Fixture.exportLines(store, scanID: scan)[2])
        #expect(row["domain"] as? String == "example.com")
        #expect(row["status"] as? String == "valid")
        #expect(row["mode"] as? String == "enforce")
        // mail.example.com matches `mail.example.com`; backup.example.org matches no pattern.
        #expect(row["mx_status"] as? String == "partial")
        let record = row["record"] as! [String: Any]
        #expect(record["id"] as? String == "20240501")
        #expect(record["raw"] as? String == "v=STSv1; id=20240501")
        let policy = row["policy"] as! [String: Any]
        #expect(policy["max_age"] as? Int == 604800)
        #expect(policy["mx"] as? [String] == ["mail.example.com", "*.example.net"])
        #expect(policy["http_status"] as? Int == 200)
        #expect(policy["content_type"] as? String == "text/plain")
        let mx = row["mx"] as! [[String: Any]]
        #expect(mx.map { $0["host"] as? String } == ["mail.example.com", "backup.example.org"])
        #expect(mx.map { $0["preference"] as? Int } == [10, 20])
        #expect(mx.map { $0["result"] as? String } == ["pass", "pattern-mismatch"])
        let tlsrpt = row["tlsrpt"] as! [String: Any]
        #expect(tlsrpt["status"] as? String == "valid")
        #expect(tlsrpt["rua"] as? [String] == ["mailto:tlsrpt@example.com"])
        let findings = row["findings"] as! [[String: Any]]
        let pairs = findings.map { "\($0["code"] as? String ?? "?")/\($0["severity"] as? String ?? "?")" }
        // `*.example.net` is a wildcard pattern (policy-wildcard-mx, info, §10.4); the backup MX
        // matches no pattern (mx-pattern-mismatch, error, naming the host).
        #expect(pairs == ["policy-wildcard-mx/info", "mx-pattern-mismatch/error"])
        #expect(findings.last?["host"] as? String == "backup.example.org")
        #expect(findings.allSatisfy { Set($0.keys) == ["code", "severity", "host", "detail"] })
    }

    /// `mtasts check --json` prints ExportRow(record:) with no database: it must be the very
    /// line export writes for the same record.
    @Test func checkAndExportPrintTheSameObject() throws {
        let (store, scan, records) = try Self.seeded()
        let exported = try Fixture.exportLines(store, scanID: scan)
        #expect(exported == records.map { ExportRow(record: $0).jsonLine })
        var csv: [String] = []
        try store.exportRows(scanID: scan) { csv.append($0.csvLine) }
        #expect(csv == records.map { ExportRow(record: $0).csvLine })
    }

    @Test func csvQuotesAndDisarmsFormulas() throws {
        let (store, _) = try Fixture.newStore()
        let scan = try store.beginScan(Fixture.meta())
        // A record with a quote and a comma: record-invalid, raw kept verbatim.
        let odd = Evidence(domain: "odd.example", scanTime: Fixture.scanTime,
                           txt: DNSLookup(outcome: .noError, txt: [Fixture.txt("v=STSv1; id=\"a,b\"")]))
        try store.write([DomainRecord.invalidInput(lineNo: 1, input: "=cmd()"),
                         DomainRecord.invalidInput(lineNo: 2, input: "-2+3"),
                         DomainRecord.invalidInput(lineNo: 3, input: "@SUM(A1)"),
                         Fixture.record(4, odd)], scanID: scan)
        var lines: [String] = []
        try store.exportRows(scanID: scan) { lines.append($0.csvLine) }
        #expect(CSV.headerLine == "domain,input,rank,status,mode,mx_status,findings,record_id,record_raw,policy_max_age,policy_mx,policy_http_status,policy_content_type,mx_hosts,mx_preferences,mx_results,tlsrpt_status,tlsrpt_rua,dane_status,delivery\r\n")
        #expect(lines[0] == ",'=cmd(),,invalid-input,,not-probed,,,,,,,,,,,,,,\r\n")
        #expect(lines[1].hasPrefix(",'-2+3,"))
        #expect(lines[2].hasPrefix(",'@SUM(A1),"))
        #expect(lines[3].contains(#","v=STSv1; id=""a,b""","#))
        #expect(lines.allSatisfy { $0.hasSuffix("\r\n") && $0.filter { $0 == "\r\n" }.count == 1 })
    }

    @Test func csvOfAValidRowFlattensLists() throws {
        let (store, scan, _) = try Self.seeded()
        var lines: [String] = []
        try store.exportRows(scanID: scan) { lines.append($0.csvLine) }
        #expect(lines[2] == "example.com,example.com,3,valid,enforce,partial,policy-wildcard-mx mx-pattern-mismatch,20240501,v=STSv1; id=20240501,604800,mail.example.com *.example.net,200,text/plain,mail.example.com backup.example.org,10 20,pass pattern-mismatch,valid,mailto:tlsrpt@example.com,not-probed,partly-deferred\r\n")
        // dane_status not-probed: the fixture's hosts were probed but their TLSA never looked up.
        // With no TLSA seen, the enforce policy decides (VERDICTS.md, "DANE"): mail.example.com
        // passes, backup.example.org matches no pattern and is deferred: partly-deferred.
        // Not probed: hosts listed, results empty.
        #expect(lines[1] == "plain.example,plain.example,2,no-record,,not-probed,,,,,,,,mx.provider.example,5,,absent,,,\r\n")
    }
}
