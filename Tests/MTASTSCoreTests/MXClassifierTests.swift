// The MX stage against docs/VERDICTS.md's "MX host result" table: each row is one host's evidence
// and the result the table's order gives, with every cause as a finding. (RFC 8461 §4, §4.1, §4.2,
// §7.1; RFC 7505; RFC 5321 §5.1.)
import Testing
@testable import MTASTSCore

struct MXCase: CustomTestStringConvertible, Sendable {
    let source: String
    let host: MXEvidence.Host
    let patterns: [String]?
    let result: MXResult?
    let codes: Set<FindingCode>
    var testDescription: String { source }
}

@Suite struct MXClassifierTests {
    static let now: Int64 = 1_795_900_000               // 2026-11-28
    static let valid = (nb: Int64(1_704_067_200), na: Int64(2_019_600_000))   // 2024-01-01 .. 2033-12-31

    static func tls(_ names: [String], verify: Int = 0, version: String = "TLSv1.3",
                    nb: Int64 = valid.nb, na: Int64 = valid.na) -> TLSFacts {
        TLSFacts(version: version, verifyResult: verify, leafDNSNames: names, notBefore: nb, notAfter: na)
    }

    static func host(_ name: String, _ probes: [SMTPProbeEvidence], lookup: DNSOutcome = .noError,
                     addresses: [String]? = nil) -> MXEvidence.Host {
        MXEvidence.Host(name: name, preference: 10, addressLookup: lookup,
                        addresses: addresses ?? probes.map(\.address), probes: probes)
    }

    static func ok(_ addr: String = "192.0.2.1", names: [String] = ["mx.example.com"]) -> SMTPProbeEvidence {
        SMTPProbeEvidence(address: addr, outcome: .completed, tls: tls(names))
    }

    static let cases: [MXCase] = [
        MXCase(source: "§4.2 all checks pass", host: host("mx.example.com", [ok()]), patterns: ["mx.example.com"],
               result: .pass, codes: []),
        MXCase(source: "§4.1 wildcard pattern matches one label", host: host("mx.example.com", [ok()]),
               patterns: ["*.example.com"], result: .pass, codes: []),
        MXCase(source: "§4.1 no policy (mode none): only TLS counts", host: host("mx.example.com", [ok()]), patterns: nil,
               result: .pass, codes: []),
        MXCase(source: "§4.1 pattern mismatch wins over everything", host: host("mx.other.net", [ok(names: ["mx.other.net"])]),
               patterns: ["mx.example.com"], result: .patternMismatch, codes: [.mxPatternMismatch]),
        MXCase(source: "§4.1 wildcard does not match two labels", host: host("a.b.example.com", [ok(names: ["a.b.example.com"])]),
               patterns: ["*.example.com"], result: .patternMismatch, codes: [.mxPatternMismatch]),
        MXCase(source: "§4.2 EHLO without STARTTLS",
               host: host("mx.example.com", [SMTPProbeEvidence(address: "192.0.2.1", outcome: .starttlsNotOffered)]),
               patterns: nil, result: .starttlsNotSupported, codes: [.mxSTARTTLSNotSupported]),
        MXCase(source: "§4.2 STARTTLS refused",
               host: host("mx.example.com", [SMTPProbeEvidence(address: "192.0.2.1", outcome: .starttlsRefused)]),
               patterns: nil, result: .starttlsNotSupported, codes: [.mxSTARTTLSNotSupported]),
        MXCase(source: "RFC 6125 no SAN matches (CN not used)",
               host: host("mx.example.com", [ok(names: ["other.example.com"])]), patterns: nil,
               result: .certificateHostMismatch, codes: [.mxCertHostMismatch]),
        MXCase(source: "RFC 6125 CN-only certificate: empty SAN never matches",
               host: host("mx.example.com", [ok(names: [])]), patterns: nil,
               result: .certificateHostMismatch, codes: [.mxCertHostMismatch]),
        MXCase(source: "§4.2 expired (verify 10)",
               host: host("mx.example.com", [SMTPProbeEvidence(address: "192.0.2.1", outcome: .completed,
                                                              tls: tls(["mx.example.com"], verify: 10, na: 1_600_000_000))]),
               patterns: nil, result: .certificateExpired, codes: [.mxCertExpired]),
        MXCase(source: "§4.2 not yet valid at the scan's time",
               host: host("mx.example.com", [SMTPProbeEvidence(address: "192.0.2.1", outcome: .completed,
                                                              tls: tls(["mx.example.com"], nb: 2_000_000_000))]),
               patterns: nil, result: .certificateExpired, codes: [.mxCertExpired]),
        MXCase(source: "§4.2 untrusted root (verify 19)",
               host: host("mx.example.com", [SMTPProbeEvidence(address: "192.0.2.1", outcome: .completed,
                                                              tls: tls(["mx.example.com"], verify: 19))]),
               patterns: nil, result: .certificateNotTrusted, codes: [.mxCertNotTrusted]),
        MXCase(source: "verdicts order: host mismatch before expired; both are findings",
               host: host("mx.example.com", [SMTPProbeEvidence(address: "192.0.2.1", outcome: .completed,
                                                              tls: tls(["x.example.com"], verify: 10, na: 1_600_000_000))]),
               patterns: nil, result: .certificateHostMismatch, codes: [.mxCertHostMismatch, .mxCertExpired]),
        MXCase(source: "§7.2 TLS 1.0 is a TLS failure",
               host: host("mx.example.com", [SMTPProbeEvidence(address: "192.0.2.1", outcome: .completed,
                                                              tls: tls(["mx.example.com"], version: "TLSv1"))]),
               patterns: nil, result: .tlsFailure, codes: [.mxTLSFailure]),
        MXCase(source: "handshake failed",
               host: host("mx.example.com", [SMTPProbeEvidence(address: "192.0.2.1", outcome: .tlsHandshakeFailed)]),
               patterns: nil, result: .tlsFailure, codes: [.mxTLSFailure]),
        MXCase(source: "connection refused",
               host: host("mx.example.com", [SMTPProbeEvidence(address: "192.0.2.1", outcome: .connectFailed)]),
               patterns: nil, result: .unreachable, codes: [.mxUnreachable]),
        MXCase(source: "421 greeting",
               host: host("mx.example.com", [SMTPProbeEvidence(address: "192.0.2.1", outcome: .greetingRejected, banner: "421 busy")]),
               patterns: nil, result: .unreachable, codes: [.mxUnreachable]),
        MXCase(source: "no A or AAAA record", host: host("mx.example.com", [], lookup: .noError, addresses: []),
               patterns: nil, result: .unreachable, codes: [.mxUnreachable]),
        MXCase(source: "address lookup SERVFAIL", host: host("mx.example.com", [], lookup: .servFail, addresses: []),
               patterns: nil, result: .dnsError, codes: [.mxDNSError]),
        MXCase(source: "§8.4 one of two addresses dead: a sender uses the other",
               host: host("mx.example.com", [SMTPProbeEvidence(address: "192.0.2.9", outcome: .timeout), ok()]),
               patterns: nil, result: .pass, codes: [.mxUnreachable]),
        MXCase(source: "§7.1 another certificate without SNI", host: {
            var p = ok()
            p.noSNILeafDiffers = true
            return host("mx.example.com", [p])
        }(), patterns: nil, result: .pass, codes: [.mxSNIDependent]),
        MXCase(source: "--exclude: every address excluded, not probed",
               host: host("mx.example.com", [SMTPProbeEvidence(address: "192.0.2.1", outcome: .excluded)]),
               patterns: nil, result: nil, codes: []),
    ]

    @Test(arguments: cases)
    func hostResult(_ c: MXCase) {
        let (status, hosts, findings) = MXClassifier.classify(MXEvidence(lookup: .noError, hosts: [c.host], probed: true),
                                                              domain: "example.com", policy: c.patterns, scanTime: Self.now)
        #expect(hosts.first?.result == c.result, "\(c.source)")
        #expect(Set(findings.map(\.code)) == c.codes, "\(c.source): \(findings)")
        let expected: MXStatus = c.result == nil ? .notProbed : c.result == .pass ? .allPass : .nonePass
        #expect(status == expected, "\(c.source)")
    }

    @Test func onePassOneFailIsPartial() {
        let mx = MXEvidence(lookup: .noError, hosts: [
            Self.host("mx.example.com", [Self.ok()]),
            Self.host("backup.example.com", [SMTPProbeEvidence(address: "192.0.2.2", outcome: .starttlsNotOffered)]),
        ], probed: true)
        let (status, hosts, _) = MXClassifier.classify(mx, domain: "example.com", policy: nil, scanTime: Self.now)
        #expect(status == .partial)
        #expect(hosts.map(\.result) == [.pass, .starttlsNotSupported])
    }

    @Test func notProbedListsHostsWithNullResults() {
        let mx = MXEvidence(lookup: .noError, hosts: [Self.host("mx.example.com", [])], probed: false)
        let (status, hosts, findings) = MXClassifier.classify(mx, domain: "example.com", policy: nil, scanTime: Self.now)
        #expect(status == .notProbed)
        #expect(hosts.count == 1 && hosts[0].result == nil)
        #expect(findings.isEmpty)
    }

    @Test func tlsaIsReportedAsDANE() {
        var h = Self.host("mx.example.com", [Self.ok()])
        h.tlsaRecords = 2
        h.tlsa = DNSLookup(outcome: .noError, authenticated: true)
        let (_, _, findings) = MXClassifier.classify(MXEvidence(lookup: .noError, hosts: [h], probed: true),
                                                     domain: "example.com", policy: nil, scanTime: Self.now)
        #expect(findings.contains(.daneTLSA))
    }

    /// §5: enforce with no passing MX is the finding that matters most; testing gets a warning.
    @Test(arguments: [(PolicyMode.enforce, FindingCode.enforceBlocksAllMX), (.testing, .testingWouldFail)])
    func noneBlocksOrWarns(_ mode: PolicyMode, _ code: FindingCode) {
        let body = Array("version: STSv1\nmode: \(mode.rawValue)\nmx: mx.example.com\nmax_age: 604800\n".utf8)
        let e = Evidence(domain: "example.com", scanTime: Self.now,
                         txt: DNSLookup(outcome: .noError, txt: [[Array("v=STSv1; id=1".utf8)]]),
                         policyFetch: PolicyFetchEvidence(outcome: .response,
                                                          tls: Self.tls(["mta-sts.example.com"]), httpStatus: 200,
                                                          contentType: "text/plain", body: body),
                         tlsrpt: DNSLookup(outcome: .nxDomain),
                         mx: MXEvidence(lookup: .noError, hosts: [
                            Self.host("mx.example.com", [SMTPProbeEvidence(address: "192.0.2.1", outcome: .starttlsNotOffered)])],
                                        probed: true))
        let v = Classifier.classify(e)
        #expect(v.status == .valid && v.mode == mode)
        #expect(v.mxStatus == .nonePass)
        #expect(v.findings.contains(code))
        #expect(!v.findings.contains(code == .enforceBlocksAllMX ? .testingWouldFail : .enforceBlocksAllMX))
    }
}
