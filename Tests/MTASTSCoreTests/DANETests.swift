// The DANE judge (RFC 7672, RFC 6698/7671) against certificates made by openssl in the test: a CA,
// a leaf it issued for the MX host, and an unrelated CA. Every expected association (certificate
// DER, SubjectPublicKeyInfo DER, their SHA-256 and SHA-512) comes from the openssl command line
// (`openssl x509 -outform DER`, `openssl pkey -pubin -outform DER`, `openssl dgst`), never from
// the code under test.

import Foundation
import Testing
@testable import MTASTSCore

/// A CA, a leaf for mx.dane.test issued by it, and an unrelated CA, with openssl's digests.
final class DANEPKI: Sendable {
    struct Cert: Sendable {
        let der: [UInt8]
        /// openssl's bytes for [selector][matching type]: selector 0 the DER, 1 the SPKI DER;
        /// matching 0 the bytes, 1 SHA-256, 2 SHA-512.
        let association: [[[UInt8]]]
    }
    let ca: Cert, leaf: Cert, otherCA: Cert
    static let host = "mx.dane.test"
    static let shared: DANEPKI? = try? DANEPKI()

    init() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dane-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func p(_ n: String) -> String { dir.appendingPathComponent(n).path }
        for ca in ["ca", "other"] {
            try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                              "-keyout", p("\(ca).key"), "-out", p("\(ca).pem"), "-days", "30", "-subj", "/CN=\(ca) DANE test CA",
                              "-addext", "basicConstraints=critical,CA:TRUE"])
        }
        try Self.openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                          "-keyout", p("leaf.key"), "-out", p("leaf.csr"), "-subj", "/CN=\(Self.host)"])
        try String("subjectAltName=DNS:\(Self.host)\n").write(toFile: p("ext.cnf"), atomically: true, encoding: .utf8)
        try Self.openssl(["x509", "-req", "-in", p("leaf.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
                          "-CAcreateserial", "-out", p("leaf.pem"), "-days", "30", "-extfile", p("ext.cnf")])
        func cert(_ n: String) throws -> Cert {
            try Self.openssl(["x509", "-in", p("\(n).pem"), "-outform", "DER", "-out", p("\(n).der")])
            try Self.openssl(["x509", "-in", p("\(n).pem"), "-pubkey", "-noout", "-out", p("\(n).pub")])
            try Self.openssl(["pkey", "-pubin", "-in", p("\(n).pub"), "-outform", "DER", "-out", p("\(n).spki")])
            let files = [p("\(n).der"), p("\(n).spki")]
            return Cert(der: try Self.read(files[0]), association: try files.map { f in
                [try Self.read(f), try Self.digest("-sha256", f), try Self.digest("-sha512", f)]
            })
        }
        ca = try cert("ca")
        leaf = try cert("leaf")
        otherCA = try cert("other")
    }

    static func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    static func digest(_ alg: String, _ file: String) throws -> [UInt8] {
        let out = try openssl(["dgst", alg, "-r", file])
        return TLSARecord.bytes(hex: String(out.prefix { $0 != " " }))!
    }

    @discardableResult
    static func openssl(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        struct Failed: Error { let args: [String] }
        guard p.terminationStatus == 0 else { throw Failed(args: args) }
        return String(decoding: data, as: UTF8.self)
    }
}

struct DANECase: Sendable, CustomTestStringConvertible {
    let usage: UInt8, selector: UInt8, matching: UInt8
    var testDescription: String { "\(usage) \(selector) \(matching)" }
}

@Suite struct DANETests {
    static let matchingCases: [DANECase] = [2, 3].flatMap { u in [0, 1].flatMap { s in [0, 1, 2].map { DANECase(usage: u, selector: s, matching: $0) } } }

    static func pki() throws -> DANEPKI { try #require(DANEPKI.shared, "openssl could not make the test certificates") }

    static func record(_ c: DANECase, of cert: DANEPKI.Cert) -> TLSARecord {
        TLSARecord(usage: c.usage, selector: c.selector, matchingType: c.matching, data: cert.association[Int(c.selector)][Int(c.matching)])
    }

    /// One MX host that presented `chain` (leaf first) over STARTTLS, with a validated TLSA RRset.
    static func host(_ name: String = DANEPKI.host, records: [TLSARecord]?, count: Int? = nil, chain: [[UInt8]],
                     ad: Bool = true, outcome: DNSOutcome = .noError,
                     probe: SMTPProbeEvidence.Outcome = .completed) -> MXEvidence.Host {
        let tls = probe == .completed ? TLSFacts(version: "TLSv1.3", verifyResult: 19, chainDER: chain) : nil
        return MXEvidence.Host(name: name, preference: 10, addressLookup: .noError, addresses: ["127.0.0.1"],
                               probes: [SMTPProbeEvidence(address: "127.0.0.1", outcome: probe, tls: tls)],
                               tlsa: DNSLookup(outcome: outcome, authenticated: ad),
                               tlsaRecords: count ?? records?.count ?? 0, tlsaAnswers: records)
    }

    static func evidence(_ hosts: [MXEvidence.Host]) -> Evidence {
        Evidence(domain: "dane.test", scanTime: Int64(Date().timeIntervalSince1970),
                 mx: MXEvidence(lookup: .noError, hosts: hosts, probed: true, authenticated: true))
    }

    // SHA-512 and SHA-256 against openssl dgst, at the padding boundaries of both.
    @Test func digestsMatchOpenSSL() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for size in [0, 3, 111, 112, 127, 128, 129, 239, 240, 1000, 5000] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ 3) }
            let file = dir.appendingPathComponent("b\(size)").path
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            #expect(SHA512.digest(bytes) == (try DANEPKI.digest("-sha512", file)), "SHA-512, size \(size)")
            #expect(SHA256.digest(bytes) == (try DANEPKI.digest("-sha256", file)), "SHA-256, size \(size)")
        }
    }

    // Selector 1's bytes are openssl's SubjectPublicKeyInfo DER, for the leaf and a CA.
    @Test func spkiIsOpenSSLs() throws {
        let pki = try Self.pki()
        for cert in [pki.leaf, pki.ca] {
            #expect(X509Reader.daneParts(der: cert.der)?.subjectPublicKeyInfo == cert.association[1][0])
        }
    }

    // Every usable combination: DANE-EE(3) names the leaf, DANE-TA(2) the CA above it.
    @Test(arguments: matchingCases)
    func usableRecordAuthenticates(_ c: DANECase) throws {
        let pki = try Self.pki()
        let record = Self.record(c, of: c.usage == 3 ? pki.leaf : pki.ca)
        let r = DANE.judgeHost(Self.host(records: [record], chain: [pki.leaf.der, pki.ca.der]))
        #expect(r.status == .authenticated)
        #expect(r.matched == record)
        #expect(r.findings.isEmpty)
        #expect(r.senderAction == .deliverAuthenticated)
    }

    // The same records against a chain they do not name: the sender defers.
    @Test(arguments: matchingCases)
    func otherChainMismatches(_ c: DANECase) throws {
        let pki = try Self.pki()
        let record = Self.record(c, of: pki.otherCA)
        let r = DANE.judgeHost(Self.host(records: [record], chain: [pki.leaf.der, pki.ca.der]))
        #expect(r.status == .mismatch)
        #expect(r.findings.map(\.code) == [.daneMismatch])
        #expect(r.senderAction == .deferHost)
    }

    // DANE-EE(3) ignores names (RFC 7672 §3.1.1); DANE-TA(2) needs the leaf to name the host.
    @Test func nameCountsOnlyForDANETA() throws {
        let pki = try Self.pki()
        let chain = [pki.leaf.der, pki.ca.der]
        let ee = Self.record(DANECase(usage: 3, selector: 1, matching: 1), of: pki.leaf)
        let ta = Self.record(DANECase(usage: 2, selector: 0, matching: 1), of: pki.ca)
        #expect(DANE.judgeHost(Self.host("mx2.other.test", records: [ee], chain: chain)).status == .authenticated)
        #expect(DANE.judgeHost(Self.host("mx2.other.test", records: [ta], chain: chain)).status == .mismatch)
        // A DANE-TA record naming the leaf itself is no trust anchor above it.
        let taLeaf = Self.record(DANECase(usage: 2, selector: 0, matching: 1), of: pki.leaf)
        #expect(DANE.judgeHost(Self.host(records: [taLeaf], chain: chain)).status == .mismatch)
        // The TA must be linked to the leaf: the other CA's certificate appended is not.
        let taOther = Self.record(DANECase(usage: 2, selector: 0, matching: 1), of: pki.otherCA)
        #expect(DANE.judgeHost(Self.host(records: [taOther], chain: chain + [pki.otherCA.der])).status == .mismatch)
        // Without the CA in the presented chain, a 2 0 x record cannot be matched.
        #expect(DANE.judgeHost(Self.host(records: [ta], chain: [pki.leaf.der])).status == .mismatch)
    }

    // RFC 6698 §2.3's examples: `0 0 1`, `1 1 2` and `3 0 0` style records; PKIX usages are
    // unusable for SMTP (RFC 7672 §3.1.3), as are unknown selectors and matching types and
    // digests of the wrong length.
    @Test func unusableRecords() throws {
        let pki = try Self.pki()
        let rfc6698 = TLSARecord(usage: 0, selector: 0, matchingType: 1,
                                 data: TLSARecord.bytes(hex: "d2abde240d7cd3ee6b4b28c54df034b97983a1d16e8a410e4561cb106618e971")!)
        #expect(!DANE.isUsable(rfc6698))
        let pkixEE = Self.record(DANECase(usage: 1, selector: 1, matching: 1), of: pki.leaf)
        let badMatching = TLSARecord(usage: 3, selector: 1, matchingType: 3, data: pki.leaf.association[1][1])
        let badSelector = TLSARecord(usage: 3, selector: 2, matchingType: 1, data: pki.leaf.association[1][1])
        let shortDigest = TLSARecord(usage: 3, selector: 1, matchingType: 1, data: Array(pki.leaf.association[1][1].dropLast()))
        let sha512Short = TLSARecord(usage: 3, selector: 1, matchingType: 2, data: pki.leaf.association[1][1])
        for bad in [rfc6698, pkixEE, badMatching, badSelector, shortDigest, sha512Short] {
            #expect(!DANE.isUsable(bad), "\(bad.presentation)")
        }
        let r = DANE.judgeHost(Self.host(records: [pkixEE, badMatching, shortDigest], chain: [pki.leaf.der, pki.ca.der]))
        #expect(r.status == .unusable)
        #expect(r.usableRecords == 0)
        #expect(r.findings.map(\.code) == [.daneUnusable])
        #expect(r.senderAction == .deliverUnauthenticatedTLS)
        // One usable record among unusable ones decides.
        let ee = Self.record(DANECase(usage: 3, selector: 1, matching: 1), of: pki.leaf)
        #expect(DANE.judgeHost(Self.host(records: [pkixEE, ee], chain: [pki.leaf.der])).status == .authenticated)
    }

    @Test func lookupsAndValidation() throws {
        let pki = try Self.pki()
        let ee = Self.record(DANECase(usage: 3, selector: 1, matching: 1), of: pki.leaf)
        let chain = [pki.leaf.der]
        // Not validated: ignored, with a finding.
        let unsigned = DANE.judgeHost(Self.host(records: [ee], chain: chain, ad: false))
        #expect(unsigned.status == .notApplicable && !unsigned.secureTLSA)
        #expect(unsigned.findings.map(\.code) == [.daneTLSAUnsigned])
        // NXDOMAIN (validated or not): no DANE, no finding.
        let none = DANE.judgeHost(Self.host(records: [], chain: chain, outcome: .nxDomain))
        #expect(none.status == .notApplicable && none.findings.isEmpty)
        // SERVFAIL (a bogus answer): the sender defers.
        let failed = DANE.judgeHost(Self.host(records: nil, chain: chain, ad: false, outcome: .servFail))
        #expect(failed.status == .lookupFailed && failed.senderAction == .deferHost)
        #expect(failed.findings.map(\.code) == [.daneLookupFailed])
        // Evidence from before the records were kept: only the count.
        let old = DANE.judgeHost(Self.host(records: nil, count: 1, chain: chain))
        #expect(old.status == .unknown && old.findings.isEmpty)
        // No STARTTLS with validated usable records: TLS is mandatory, the sender defers.
        let noTLS = DANE.judgeHost(Self.host(records: [ee], chain: [], probe: .starttlsNotOffered))
        #expect(noTLS.status == .noTLS && noTLS.findings.map(\.code) == [.daneNoTLS])
        // Unreachable: nothing to match, no verdict.
        let unreachable = DANE.judgeHost(Self.host(records: [ee], chain: [], probe: .connectFailed))
        #expect(unreachable.status == .unjudged && unreachable.findings.isEmpty)
    }

    @Test func domainSummary() throws {
        let pki = try Self.pki()
        let ee = Self.record(DANECase(usage: 3, selector: 1, matching: 1), of: pki.leaf)
        let other = Self.record(DANECase(usage: 3, selector: 1, matching: 1), of: pki.otherCA)
        let chain = [pki.leaf.der, pki.ca.der]
        let good = Self.host("a.dane.test", records: [ee], chain: chain)
        let good2 = Self.host("b.dane.test", records: [ee], chain: chain)
        let plain = Self.host("c.dane.test", records: [], chain: chain, outcome: .nxDomain)
        let bad = Self.host("d.dane.test", records: [other], chain: chain)
        let unusable = Self.host("e.dane.test", records: [TLSARecord(usage: 1, selector: 1, matchingType: 1, data: ee.data)], chain: chain)

        #expect(DANE.judge(Self.evidence([good, good2])).status == .allAuthenticated)
        let partial = DANE.judge(Self.evidence([good, plain]))
        #expect(partial.status == .partial)
        #expect(partial.findings.map(\.code) == [.danePartial])
        #expect(DANE.judge(Self.evidence([plain])).status == .none)
        #expect(DANE.judge(Self.evidence([good, bad])).status == .mismatch)
        #expect(DANE.judge(Self.evidence([good, unusable])).status == .unusable)
        #expect(DANE.judge(Self.evidence([good, bad, plain])).findings.map(\.code) == [.daneMismatch, .danePartial])
        // Not probed: nothing looked up.
        var e = Self.evidence([MXEvidence.Host(name: "a.dane.test", preference: 10)])
        #expect(DANE.judge(e).status == .notProbed)
        e.mx = nil
        #expect(DANE.judge(e).status == .notProbed)
    }

    // The association data is hex in JSON, and decodes back.
    @Test func recordCodable() throws {
        let r = TLSARecord(usage: 3, selector: 1, matchingType: 1, data: [0x00, 0xAB, 0xFF])
        let json = String(decoding: try JSONEncoder().encode(r), as: UTF8.self)
        #expect(json.contains(#""data":"00abff""#))
        #expect(try JSONDecoder().decode(TLSARecord.self, from: Data(json.utf8)) == r)
        #expect(TLSARecord.bytes(hex: "0g") == nil && TLSARecord.bytes(hex: "abc") == nil)
    }
}
