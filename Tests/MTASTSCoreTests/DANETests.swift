// The DANE judge (RFC 7672, RFC 6698/7671) against certificates made by openssl in the test: a CA,
// a leaf it issued for the MX host, and an unrelated CA. Every expected association (certificate
// DER, SubjectPublicKeyInfo DER, their SHA-256 and SHA-512) comes from the openssl command line
// (`openssl x509 -outform DER`, `openssl pkey -pubin -outform DER`, `openssl dgst`), never from
// the code under test.

import Foundation
import Testing
@testable import MTASTSCore

/// A CA, a leaf for mx.dane.test issued by it, an unrelated CA, and an impostor: a second CA key
/// under the CA's own name (`sameDN`) with a leaf for the same host it issued (`forgedLeaf`), so
/// the pair [forgedLeaf, ca] is linked by names but not by signature. With openssl's digests.
final class DANEPKI: Sendable {
    struct Cert: Sendable {
        let der: [UInt8]
        /// openssl's bytes for [selector][matching type]: selector 0 the DER, 1 the SPKI DER;
        /// matching 0 the bytes, 1 SHA-256, 2 SHA-512.
        let association: [[[UInt8]]]
    }
    let ca: Cert, leaf: Cert, otherCA: Cert, sameDN: Cert, forgedLeaf: Cert
    /// openssl verify's answer for each (certificate, CA) pair: whether the CA's key signed it,
    /// keyed by the two DERs. The stored `chainLinksSigned` of a chain is looked up here.
    let signedBy: [[[UInt8]]: Bool]
    static let host = "mx.dane.test"
    static let shared: DANEPKI? = try? DANEPKI()

    init() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dane-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func p(_ n: String) -> String { dir.appendingPathComponent(n).path }
        // "samedn" has the CA's subject (CN=ca DANE test CA) and a key of its own.
        for (ca, cn) in [("ca", "ca"), ("other", "other"), ("samedn", "ca")] {
            try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                              "-keyout", p("\(ca).key"), "-out", p("\(ca).pem"), "-days", "30", "-subj", "/CN=\(cn) DANE test CA",
                              "-addext", "basicConstraints=critical,CA:TRUE"])
        }
        try String("subjectAltName=DNS:\(Self.host)\n").write(toFile: p("ext.cnf"), atomically: true, encoding: .utf8)
        for (leaf, ca) in [("leaf", "ca"), ("forged", "samedn")] {
            try Self.openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                              "-keyout", p("\(leaf).key"), "-out", p("\(leaf).csr"), "-subj", "/CN=\(Self.host)"])
            try Self.openssl(["x509", "-req", "-in", p("\(leaf).csr"), "-CA", p("\(ca).pem"), "-CAkey", p("\(ca).key"),
                              "-CAcreateserial", "-out", p("\(leaf).pem"), "-days", "30", "-extfile", p("ext.cnf")])
        }
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
        sameDN = try cert("samedn")
        forgedLeaf = try cert("forged")
        var signedBy: [[[UInt8]]: Bool] = [:]
        let named = [("ca", ca), ("leaf", leaf), ("other", otherCA), ("samedn", sameDN), ("forged", forgedLeaf)]
        for (c, cert) in named {
            for (i, issuer) in named where ["ca", "other", "samedn"].contains(i) {
                let ok = (try? Self.openssl(["verify", "-partial_chain", "-no_check_time", "-trusted", p("\(i).pem"), p("\(c).pem")])) != nil
                signedBy[[cert.der, issuer.der]] = ok
            }
        }
        self.signedBy = signedBy
    }

    /// A chain's links as openssl verify found them (false for anything it was not asked about).
    func links(_ chain: [[UInt8]]) -> [Bool] {
        chain.indices.dropLast().map { signedBy[[chain[$0], chain[$0 + 1]]] ?? false }
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
    /// `links` defaults to the chain's signatures as openssl verify found them; `.some(nil)` is
    /// evidence stored before they were recorded.
    static func host(_ name: String = DANEPKI.host, records: [TLSARecord]?, count: Int? = nil, chain: [[UInt8]],
                     links: [Bool]?? = .none, ad: Bool = true, outcome: DNSOutcome = .noError,
                     probe: SMTPProbeEvidence.Outcome = .completed) -> MXEvidence.Host {
        let signed: [Bool]? = links ?? DANEPKI.shared?.links(chain)
        let tls = probe == .completed ? TLSFacts(version: "TLSv1.3", verifyResult: 19, chainDER: chain, chainLinksSigned: signed) : nil
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

    // The impostor: a leaf issued by a second key under the TA's own name, presented with the
    // real TA certificate. The names link; the signature does not (the TA's key did not sign the
    // leaf), so no DANE-TA record for the TA may authenticate it.
    @Test(arguments: matchingCases.filter { $0.usage == 2 })
    func leafNotSignedByTAIsNotAuthenticated(_ c: DANECase) throws {
        let pki = try Self.pki()
        let record = Self.record(c, of: pki.ca)
        let r = DANE.judgeHost(Self.host(records: [record], chain: [pki.forgedLeaf.der, pki.ca.der]))
        #expect(r.status != .authenticated)
        #expect(r.senderAction != .deliverAuthenticated)
        // With the links recorded (openssl verify: the CA did not sign it) it is a mismatch.
        #expect(pki.links([pki.forgedLeaf.der, pki.ca.der]) == [false])
        #expect(r.status == .mismatch)
        #expect(r.findings.map(\.code) == [.daneMismatch])
        // Presented with its own signer (same name, other key) it is still a mismatch: the record
        // names the real CA, whose certificate is then absent.
        #expect(DANE.judgeHost(Self.host(records: [record], chain: [pki.forgedLeaf.der, pki.sameDN.der])).status == .mismatch)
        // The impostor CA's certificate appended above the real one: the path broke at the
        // first unsigned link, so nothing above it anchors the leaf.
        #expect(DANE.judgeHost(Self.host(records: [Self.record(c, of: pki.sameDN)],
                                         chain: [pki.forgedLeaf.der, pki.ca.der, pki.sameDN.der])).status == .mismatch)
    }

    // A TA given only by its key (2 1 0) and left out of the chain (RFC 7671 §5.2.2): matched when
    // the stored fact says that key signed the chain's last certificate. The fact is what openssl
    // verify says of (certificate, CA); the key's SHA-256 is openssl dgst's.
    @Test func taKeyNotInChain() throws {
        let pki = try Self.pki()
        let key = Self.record(DANECase(usage: 2, selector: 1, matching: 0), of: pki.ca)
        func judged(_ chain: [[UInt8]], records: [TLSARecord]) -> DANEHostResult {
            var h = Self.host(records: records, chain: chain)
            let top = chain.last!
            let signed = pki.signedBy[[top, pki.ca.der]] ?? false
            h.probes[0].tls?.topSignerKeysSHA256 = signed ? [pki.ca.association[1][1]] : []
            return DANE.judgeHost(h)
        }
        #expect(pki.signedBy[[pki.leaf.der, pki.ca.der]] == true)
        let r = judged([pki.leaf.der], records: [key])
        #expect(r.status == .authenticated)
        #expect(r.matched == key)
        // The impostor's leaf: the key did not sign it.
        #expect(judged([pki.forgedLeaf.der], records: [key]).status == .mismatch)
        // The leaf must still name the host.
        var other = Self.host("mx2.other.test", records: [key], chain: [pki.leaf.der])
        other.probes[0].tls?.topSignerKeysSHA256 = [pki.ca.association[1][1]]
        #expect(DANE.judgeHost(other).status == .mismatch)
        // A digest of the key (2 1 1) cannot be checked against a signature: not matched.
        let digest = Self.record(DANECase(usage: 2, selector: 1, matching: 1), of: pki.ca)
        #expect(judged([pki.leaf.der], records: [digest]).status == .mismatch)
        // Without the fact (not recorded), the key alone is not matched either.
        #expect(DANE.judgeHost(Self.host(records: [key], chain: [pki.leaf.der])).status == .mismatch)
    }

    // The resolver may rotate the RRset's order between answers: the finding must not follow it
    // (a `check` after the scan saw the records the other way round, Tests/E2E step 2).
    @Test func unusableDetailIgnoresAnswerOrder() throws {
        let pki = try Self.pki()
        let a = Self.record(DANECase(usage: 1, selector: 1, matching: 1), of: pki.leaf)
        let b = TLSARecord(usage: 3, selector: 1, matchingType: 3, data: a.data)
        let one = DANE.judgeHost(Self.host(records: [a, b], chain: [pki.leaf.der]))
        let other = DANE.judgeHost(Self.host(records: [b, a], chain: [pki.leaf.der]))
        #expect(one.status == .unusable)
        #expect(one.findings == other.findings)
    }

    // Evidence stored before the links were recorded: a DANE-TA match by names cannot be decided
    // (`unknown`, no finding), while DANE-EE, which needs no path, is judged as before.
    @Test(arguments: matchingCases)
    func withoutRecordedLinksDANETAIsUnknown(_ c: DANECase) throws {
        let pki = try Self.pki()
        let record = Self.record(c, of: c.usage == 3 ? pki.leaf : pki.ca)
        for chain in [[pki.leaf.der, pki.ca.der], [pki.forgedLeaf.der, pki.ca.der]] where c.usage == 2 || chain[0] == pki.leaf.der {
            let r = DANE.judgeHost(Self.host(records: [record], chain: chain, links: .some(nil)))
            #expect(r.status == (c.usage == 3 ? .authenticated : .unknown))
            #expect(r.findings.isEmpty)
        }
        // The links recorded, the real chain authenticates under every usage.
        #expect(DANE.judgeHost(Self.host(records: [record], chain: [pki.leaf.der, pki.ca.der])).status == .authenticated)
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

// DANE beside MTA-STS (RFC 8461 §2), host by host: expected outcomes written from the RFC text
// in docs/VERDICTS.md ("DANE"), one host per case.
@Suite struct DANECombineTests {
    static func verdict(mode: PolicyMode?, result: MXResult?) -> Verdict {
        Verdict(status: mode == nil ? .noRecord : .valid, mode: mode, mxStatus: .allPass,
                mx: [MXHostVerdict(host: "mx.example", preference: 10, result: result)])
    }

    static func dane(_ status: DANEHostStatus, secure: Bool) -> DANEDomainJudgement {
        DANE.summarise([DANEHostResult(host: "mx.example", status: status, secureTLSA: secure, mxSecure: true,
                                       usableRecords: 0, matched: nil, findings: [])])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let dane: DANEHostStatus, secure: Bool, mode: PolicyMode?, result: MXResult
        let policy: TransportPolicy, delivery: HostDelivery
        var testDescription: String { "\(dane.rawValue) \(mode?.rawValue ?? "no-policy") \(result.rawValue)" }
    }

    static let cases: [Case] = [
        // DANE applies: its outcome stands, MTA-STS cannot override a failure (§2).
        Case(dane: .authenticated, secure: true, mode: .enforce, result: .pass, policy: .dane, delivery: .authenticated),
        Case(dane: .mismatch, secure: true, mode: .enforce, result: .pass, policy: .dane, delivery: .deferred),
        Case(dane: .mismatch, secure: true, mode: .testing, result: .pass, policy: .dane, delivery: .deferred),
        Case(dane: .noTLS, secure: true, mode: nil, result: .starttlsNotSupported, policy: .dane, delivery: .deferred),
        Case(dane: .lookupFailed, secure: false, mode: .enforce, result: .pass, policy: .dane, delivery: .deferred),
        Case(dane: .unusable, secure: true, mode: .enforce, result: .pass, policy: .dane, delivery: .unauthenticated),
        // DANE does not apply: the policy's mode decides.
        Case(dane: .notApplicable, secure: false, mode: .enforce, result: .pass, policy: .mtaSTS, delivery: .authenticated),
        Case(dane: .notApplicable, secure: false, mode: .enforce, result: .certificateExpired, policy: .mtaSTS, delivery: .deferred),
        Case(dane: .notApplicable, secure: false, mode: .testing, result: .certificateExpired, policy: .mtaSTS, delivery: .unauthenticated),
        Case(dane: .notApplicable, secure: false, mode: PolicyMode.none, result: .pass, policy: .none, delivery: .unauthenticated),
        Case(dane: .notApplicable, secure: false, mode: nil, result: .starttlsNotSupported, policy: .none, delivery: .unauthenticated),
        // Nobody delivers to a host no session reached.
        Case(dane: .notApplicable, secure: false, mode: nil, result: .unreachable, policy: .none, delivery: .deferred),
        Case(dane: .unjudged, secure: true, mode: .testing, result: .unreachable, policy: .dane, delivery: .deferred),
        // Validated records but nothing matched yet (old evidence): not known.
        Case(dane: .unknown, secure: true, mode: .enforce, result: .pass, policy: .dane, delivery: .unknown),
    ]

    @Test(arguments: cases)
    func oneHost(_ c: Case) {
        let combined = DANE.combine(Self.dane(c.dane, secure: c.secure), Self.verdict(mode: c.mode, result: c.result))
        #expect(combined.hosts == [CombinedHost(host: "mx.example", policy: c.policy, delivery: c.delivery)])
        #expect(combined.delivery == (c.delivery == .unknown ? nil : c.delivery == .deferred ? .deferred
                                      : c.delivery == .authenticated ? .authenticated : .unauthenticated))
    }

    @Test func domainOverHosts() {
        func host(_ name: String, _ s: DANEHostStatus) -> DANEHostResult {
            DANEHostResult(host: name, status: s, secureTLSA: s != .notApplicable, mxSecure: nil, usableRecords: 1, matched: nil, findings: [])
        }
        let v = Verdict(status: .valid, mode: .enforce, mxStatus: .partial,
                        mx: [MXHostVerdict(host: "a", preference: 10, result: .pass), MXHostVerdict(host: "b", preference: 20, result: .pass),
                             MXHostVerdict(host: "c", preference: 30, result: nil)])
        #expect(DANE.combine(DANE.summarise([host("a", .authenticated), host("b", .mismatch)]), v).delivery == .partlyDeferred)
        #expect(DANE.combine(DANE.summarise([host("a", .mismatch), host("b", .noTLS)]), v).delivery == .deferred)
        #expect(DANE.combine(DANE.summarise([host("a", .authenticated), host("b", .notApplicable)]), v).delivery == .authenticated)
        #expect(DANE.combine(DANE.summarise([host("a", .unusable), host("b", .notApplicable)]), v).delivery == .unauthenticated)
        // A host not probed (result null) is left out.
        #expect(DANE.combine(DANE.summarise([host("a", .authenticated), host("b", .authenticated)]), v).hosts.count == 2)
    }
}

// Hostile input to the judge: garbage where certificates should be, a TLSA record of 64 KiB, an
// empty chain. Each is a verdict (mismatch, unusable), never a crash.
@Suite struct DANEHostileTests {
    @Test func garbageChainsAndRecords() throws {
        let garbage: [[UInt8]] = [[], [0x30], [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF], [UInt8](repeating: 0x30, count: 1000),
                                  (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 37) }]
        let records = [TLSARecord(usage: 3, selector: 1, matchingType: 1, data: [UInt8](repeating: 1, count: 32)),
                       TLSARecord(usage: 2, selector: 1, matchingType: 0, data: [UInt8](repeating: 2, count: 65_535)),
                       TLSARecord(usage: 3, selector: 0, matchingType: 0, data: [0x30])]
        for chain in [garbage, [garbage[1]], garbage.reversed()] {
            let h = DANETests.host(records: Array(records.prefix(2)), chain: chain)
            #expect(DANE.judgeHost(h).status == .mismatch)
        }
        for cert in garbage {
            #expect(DANE.association(of: cert, selector: 1, matchingType: 1) == nil)
            #expect(X509Reader.daneParts(der: cert) == nil)
        }
        // One byte of data that is a whole "certificate": matching type 0, selector 0, matches.
        #expect(DANE.judgeHost(DANETests.host(records: [records[2]], chain: [[0x30]])).status == .authenticated)
    }
}
