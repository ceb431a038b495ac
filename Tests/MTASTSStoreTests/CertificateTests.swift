// Certificates are stored once per SHA-256 fingerprint, with the facts read from the DER; the
// certificate and the expected facts come from the openssl command line, not from our code.
import Foundation
import MTASTSCore
import Testing
@testable import MTASTSStore

@Suite struct CertificateTests {
    @Test func aSharedChainIsStoredOnceWithItsFacts() throws {
        let before = Int64(Date().timeIntervalSince1970)
        let cert = try Fixture.certificate(cn: "x", san: "mx.example.com", days: 30)
        let after = Int64(Date().timeIntervalSince1970)
        let (store, _) = try Fixture.newStore()
        let scan = try store.beginScan(Fixture.meta())
        let a = Fixture.record(1, Fixture.validEvidence("a.example", mxChain: [cert.der]))
        let b = Fixture.record(2, Fixture.validEvidence("b.example", mxChain: [cert.der]))
        try store.write([a], scanID: scan)
        try store.write([b], scanID: scan)    // a later batch: the committed cache is used
        let c = Fixture.record(3, Fixture.validEvidence("c.example", mxChain: [cert.der]))
        let store2 = try ScanStore(path: store.path)   // a fresh writer: the INSERT must not duplicate
        try store2.write([c], scanID: scan)

        #expect(try Fixture.count(store, "SELECT count(*) FROM certificates") == 1)
        // Each domain has two probes (two MX hosts) presenting this chain.
        #expect(try Fixture.count(store, "SELECT count(*) FROM evidence_certs") == 6)

        var row: (fp: String, der: [UInt8], cn: String?, issuer: String?, names: String?, nb: Int64, na: Int64)?
        try store.db.prepare("SELECT fingerprint, der, subject_cn, issuer_cn, dns_names, not_before, not_after FROM certificates")
            .query([]) { row = ($0.text(0) ?? "", $0.blob(1) ?? [], $0.text(2), $0.text(3), $0.text(4), $0.int(5), $0.int(6)) }
        let r = try #require(row)
        #expect(r.der == cert.der)
        #expect(r.cn == "x" && r.issuer == "x")      // self-signed: issuer is the subject
        #expect(r.names == "mx.example.com")
        #expect(r.na - r.nb == 30 * 86_400)
        #expect(r.nb >= before - 2 && r.nb <= after + 2)
        // The fingerprint is openssl's SHA-256 of the DER.
        let dgst = try Fixture.run("/usr/bin/openssl", ["dgst", "-sha256", "-r", cert.dir.appendingPathComponent("cert.der").path])
        #expect(r.fp == String(dgst.prefix(64)))

        // And the chains come back in the evidence, in place.
        let id = try #require(try store.domainRowID(scanID: scan, lineNo: 2))
        #expect(try store.evidence(domainRowID: id) == b.evidence)
    }

    @Test func sha256MatchesOpenSSL() throws {
        let dir = try Fixture.tempDir()
        for size in [0, 1, 55, 56, 63, 64, 65, 1000, 100_000] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let file = dir.appendingPathComponent("b\(size)")
            try Data(bytes).write(to: file)
            let expected = String(try Fixture.run("/usr/bin/openssl", ["dgst", "-sha256", "-r", file.path]).prefix(64))
            #expect(SHA256.hex(bytes) == expected, "size \(size)")
            // Streaming in uneven pieces gives the same digest.
            var s = SHA256()
            var i = 0
            while i < size { let j = min(size, i + 37); s.update(bytes[i..<j]); i = j }
            #expect(SHA256.hexString(s.finish()) == expected, "streamed, size \(size)")
        }
    }
}
