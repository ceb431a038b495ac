// Two scans of a small hand-made world, written through the real path (Evidence →
// Classifier.classify → DomainRecord → ScanStore.write) into a SQLite file in a temp dir. The
// expected numbers in the tests are counted by hand from the table below, not by the code.
//
//   domain          scan 1                                    scan 2
//   a.example       valid testing, id 1, TLS-RPT              valid enforce, id 2 (mode-changed)
//   b.example       valid enforce, id 1                       no record            (record-removed)
//   c.example       valid enforce, id 1, max_age 604800, DANE valid enforce, id 1, max_age 86400 (changed-id-unchanged)
//   d.example       valid enforce, id 1                       valid enforce, id 2, same body (id-changed-body-same)
//   e.example       valid none, id 1                          policy-fetch-error (HTTP 404)
//   f.example       no record                                 no record
//   g.example       valid enforce, MX cert expired (enforce-blocks-all-mx), both scans
//   h.example       (absent)                                  no record             (domain added)
//   line "bad name!" invalid-input in scan 1
import Foundation
import MTASTSCore
import MTASTSStore

enum World {
    static let scanTime: Int64 = 1_750_000_000

    static func txt(_ s: String) -> TXTRecord { [Array(s.utf8)] }

    static func tls(_ names: [String], expired: Bool = false) -> TLSFacts {
        TLSFacts(version: "TLSv1.3", verifyResult: expired ? 10 : 0, leafDNSNames: names,
                 notBefore: scanTime - 86_400 * 100, notAfter: expired ? scanTime - 86_400 : scanTime + 86_400 * 90)
    }

    static func body(_ mode: String, maxAge: Int = 604_800, mx: String = "*.mailhost.co.uk") -> String {
        "version: STSv1\r\nmode: \(mode)\r\nmx: \(mx)\r\nmax_age: \(maxAge)\r\n"
    }

    /// A domain whose MX hosts are on mailhost.co.uk (one provider), or its own host when `ownMX`.
    static func evidence(_ domain: String, record id: String?, body: String? = nil, http: Int = 200,
                         tlsrpt: Bool = false, dane: Bool = false, expiredMX: Bool = false, ownMX: Bool = false) -> Evidence {
        let hostName = ownMX ? "mx.\(domain)" : "mx1.mailhost.co.uk"
        let probe = SMTPProbeEvidence(address: "192.0.2.1", outcome: .completed, tls: tls([hostName], expired: expiredMX))
        let host = MXEvidence.Host(name: hostName, preference: 10, addressLookup: .noError, addresses: ["192.0.2.1"],
                                   probes: id == nil ? [] : [probe], tlsa: dane ? DNSLookup(outcome: .noError, authenticated: true) : nil,
                                   tlsaRecords: dane ? 1 : 0)
        var e = Evidence(domain: domain, scanTime: scanTime,
                         txt: id.map { DNSLookup(outcome: .noError, txt: [txt("v=STSv1; id=\($0)")]) } ?? DNSLookup(outcome: .nxDomain),
                         tlsrpt: tlsrpt ? DNSLookup(outcome: .noError, txt: [txt("v=TLSRPTv1; rua=mailto:r@\(domain)")]) : DNSLookup(outcome: .nxDomain),
                         mx: MXEvidence(lookup: .noError, hosts: [host], probed: id != nil))
        if id != nil {
            e.policyFetch = PolicyFetchEvidence(outcome: .response, tls: tls(["mta-sts.\(domain)"]), httpStatus: http,
                                                contentType: "text/plain", body: body.map { Array($0.utf8) })
        }
        return e
    }

    static func record(_ line: Int, _ e: Evidence) -> DomainRecord {
        DomainRecord(lineNo: line, input: e.domain, domain: e.domain, evidence: e, verdict: Classifier.classify(e))
    }

    static let scan1: [Evidence] = [
        evidence("a.example", record: "1", body: body("testing"), tlsrpt: true),
        evidence("b.example", record: "1", body: body("enforce")),
        evidence("c.example", record: "1", body: body("enforce"), dane: true),
        evidence("d.example", record: "1", body: body("enforce")),
        evidence("e.example", record: "1", body: body("none")),
        evidence("f.example", record: nil),
        evidence("g.example", record: "1", body: body("enforce", mx: "mx.g.example"), expiredMX: true, ownMX: true),
    ]

    static let scan2: [Evidence] = [
        evidence("a.example", record: "2", body: body("enforce"), tlsrpt: true),
        evidence("b.example", record: nil),
        evidence("c.example", record: "1", body: body("enforce", maxAge: 86_400), dane: true),
        evidence("d.example", record: "2", body: body("enforce")),
        evidence("e.example", record: "1", body: "not found", http: 404),
        evidence("f.example", record: nil),
        evidence("g.example", record: "1", body: body("enforce", mx: "mx.g.example"), expiredMX: true, ownMX: true),
        evidence("h.example", record: nil),
    ]

    /// A fresh database with both scans; returns the store, its path and the two scan ids.
    static func build() throws -> (ScanStore, String, Int64, Int64) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mtasts-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("scan.db").path
        let store = try ScanStore(path: path)
        var ids: [Int64] = []
        for (n, list) in [scan1, scan2].enumerated() {
            let id = try store.beginScan(ScanMeta(label: "scan\(n + 1)", flags: "{}", inputName: "list.txt",
                                                  inputSHA256: String(repeating: "0\(n)", count: 32), startedAt: 1_700_000_000 + Int64(n) * 86_400))
            var rows = list.enumerated().map { record($0.offset + 1, $0.element) }
            if n == 0 { rows.append(.invalidInput(lineNo: 99, input: "bad name!")) }
            try store.write(rows, scanID: id)
            try store.finishScan(id: id, counts: ScanCounts(linesRead: rows.count, domains: rows.count, invalid: n == 0 ? 1 : 0,
                                                            duplicates: 0, excluded: 0))
            ids.append(id)
        }
        return (store, path, ids[0], ids[1])
    }

    /// A few lines of the real list's format: comments, wildcard, exception, ICANN end marker.
    static let psl = """
    // ===BEGIN ICANN DOMAINS===
    com
    uk
    co.uk
    *.ck
    !www.ck
    example
    // ===END ICANN DOMAINS===
    // ===BEGIN PRIVATE DOMAINS===
    blogspot.com
    """
}
