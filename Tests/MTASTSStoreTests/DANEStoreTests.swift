// DANE through the store: the TLSA records kept in the evidence (format 3), the DANE summary and
// combined delivery in `domains`, each host's DANE result in `mx_hosts`, in the export, and
// recomputed by reclassify for rows stored before the columns existed. The certificate is made
// by openssl and the TLSA digest is `openssl dgst -sha256` of its DER (3 0 1), not our code's.
import Foundation
import MTASTSCore
import Testing
@testable import MTASTSStore

@Suite struct DANEStoreTests {
    /// example.com's valid enforce policy (Fixture.validEvidence), whose mail.example.com passes
    /// and backup.example.org matches no pattern; mail.example.com publishes `tlsa` (validated).
    static func evidence(_ domain: String, cert: [UInt8], tlsa: [TLSARecord]) -> Evidence {
        var e = Fixture.validEvidence(domain, mxChain: [cert])
        e.mx!.authenticated = true
        e.mx!.hosts[0].tlsa = DNSLookup(outcome: .noError, authenticated: true)
        e.mx!.hosts[0].tlsaRecords = tlsa.count
        e.mx!.hosts[0].tlsaAnswers = tlsa
        e.mx!.hosts[1].tlsa = DNSLookup(outcome: .nxDomain, authenticated: true)
        return e
    }

    static func seeded() throws -> (ScanStore, Int64) {
        let cert = try Fixture.certificate(cn: "mail", san: "mail.example.com")
        let dgst = try Fixture.run("/usr/bin/openssl", ["dgst", "-sha256", "-r", cert.dir.appendingPathComponent("cert.der").path])
        let good = TLSARecord(usage: 3, selector: 0, matchingType: 1, data: try #require(TLSARecord.bytes(hex: String(dgst.prefix(64)))))
        let wrong = TLSARecord(usage: 3, selector: 0, matchingType: 1, data: [UInt8](repeating: 0xAA, count: 32))
        let (store, _) = try Fixture.newStore()
        let scan = try store.beginScan(Fixture.meta())
        try store.write([Fixture.record(1, evidence("good.example", cert: cert.der, tlsa: [good])),
                         Fixture.record(2, evidence("wrong.example", cert: cert.der, tlsa: [wrong]))], scanID: scan)
        return (store, scan)
    }

    static func rows(_ store: ScanStore, _ scan: Int64) throws -> [[String: Any]] {
        try Fixture.exportLines(store, scanID: scan).map(Fixture.object)
    }

    static func dane(_ row: [String: Any]) -> (String?, String?, [String?]) {
        let d = row["dane"] as? [String: Any] ?? [:]
        return (d["status"] as? String, d["delivery"] as? String, (row["mx"] as? [[String: Any]] ?? []).map { $0["dane"] as? String })
    }

    @Test func exportCarriesDANE() throws {
        let (store, scan) = try Self.seeded()
        let rows = try Self.rows(store, scan)
        // good: mail.example.com authenticated by DANE; backup.example.org has none (partial), and
        // under the enforce policy it matches no pattern, so the sender defers for it.
        let good = Self.dane(rows[0])
        #expect(good.0 == "partial" && good.1 == "partly-deferred" && good.2 == ["authenticated", "not-applicable"])
        // wrong: DANE fails on mail.example.com, which MTA-STS alone would pass (RFC 8461 §2:
        // MTA-STS does not override it); both hosts defer.
        let wrong = Self.dane(rows[1])
        #expect(wrong.0 == "mismatch" && wrong.1 == "defer" && wrong.2 == ["mismatch", "not-applicable"])
        let codes = (rows[1]["findings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        #expect(codes.contains("dane-mismatch") && codes.contains("dane-partial"))
        // The TLSA records come back from the stored evidence.
        let id = try #require(try store.domainRowID(scanID: scan, lineNo: 1))
        #expect(try store.evidence(domainRowID: id)?.mx?.hosts[0].tlsaAnswers?.first?.usage == 3)
        #expect(try Fixture.count(store, "SELECT count(*) FROM evidence WHERE format = 3") == 2)
    }

    // Rows from before the columns existed (NULL) get them from reclassify.
    @Test func reclassifyFillsTheColumns() throws {
        let (store, scan) = try Self.seeded()
        let before = try Fixture.exportLines(store, scanID: scan)
        try store.db.exec("UPDATE domains SET dane_status = NULL, delivery = NULL")
        try store.db.exec("UPDATE mx_hosts SET dane = NULL")
        #expect(try Fixture.exportLines(store, scanID: scan) != before)
        _ = try store.reclassify(scanID: scan)
        #expect(try Fixture.exportLines(store, scanID: scan) == before)
    }

    // A format 2 row has only the count and the AD bit: what needs the records is unknown (no
    // dane-mismatch or dane-unusable made up); what the count tells (one host with validated
    // TLSA, one without: dane-partial) is still said.
    @Test func oldEvidenceIsUnknown() throws {
        let cert = try Fixture.certificate(cn: "mail", san: "mail.example.com")
        var e = Self.evidence("old.example", cert: cert.der, tlsa: [])
        e.mx!.hosts[0].tlsaRecords = 1
        e.mx!.hosts[0].tlsaAnswers = nil
        let v = Classifier.classify(e)
        #expect(v.dane?.status == .unknown)
        #expect(v.findings.map(\.code).filter { $0.rawValue.hasPrefix("dane-") } == [.daneTLSA, .danePartial])
    }
}
