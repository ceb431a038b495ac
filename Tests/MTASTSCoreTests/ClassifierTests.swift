// From hand-made evidence to a verdict: the status order of verdicts.md ("Domain status", evaluated
// in this order), the mx_status the MX lookup alone decides, and the domain-level findings.
// `codes` is the exact set of finding codes of the verdict.

import Testing
@testable import MTASTSCore

let scanTime: Int64 = 1_750_000_000
private let domain = "example.com"

private func txt(_ records: String..., cname: [String] = []) -> DNSLookup {
    DNSLookup(outcome: .noError, cnameChain: cname, txt: records.map { [Array($0.utf8)] })
}

private func tls(version: String = "TLSv1.3", verify: Int = 0, names: [String] = ["mta-sts.example.com"],
                 notBefore: Int64 = scanTime - 86_400, notAfter: Int64 = scanTime + 86_400) -> TLSFacts {
    TLSFacts(version: version, verifyResult: verify, leafDNSNames: names, notBefore: notBefore, notAfter: notAfter)
}

private let enforceBody = Array("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n".utf8)

private func fetch(status: Int = 200, contentType: String? = "text/plain", body: [UInt8] = enforceBody,
                   tls t: TLSFacts? = tls(), location: String? = nil, tooLarge: Bool = false) -> PolicyFetchEvidence {
    PolicyFetchEvidence(outcome: .response, tls: t, httpStatus: status, contentType: contentType, location: location,
                        body: body, bodyTooLarge: tooLarge)
}

private let goodTLSRPT = txt("v=TLSRPTv1;rua=mailto:reports@example.com")

/// A probe of `host` that passes every check (STARTTLS, trusted chain, name, dates, TLS 1.3).
private func passingProbe(_ host: String) -> SMTPProbeEvidence {
    SMTPProbeEvidence(address: "192.0.2.25", outcome: .completed, tls: tls(names: [host]))
}

private func probedMX(_ hosts: [MXEvidence.Host], limit: Int? = nil) -> MXEvidence {
    MXEvidence(lookup: .noError, hosts: hosts, probed: true, probeLimit: limit)
}
private let oneMX = MXEvidence(lookup: .noError, hosts: [.init(name: "mail.example.com.", preference: 10)])

struct ClassifierCase: Sendable, CustomTestStringConvertible {
    let source: String
    let evidence: Evidence
    let status: DomainStatus
    let mode: PolicyMode?
    let mxStatus: MXStatus
    let codes: Set<FindingCode>
    var testDescription: String { source }
}

/// A domain whose every stage is fine unless a parameter says otherwise.
private func c(_ source: String, txt t: DNSLookup? = txt("v=STSv1; id=1"), fetch f: PolicyFetchEvidence? = fetch(),
               tlsrpt: DNSLookup? = goodTLSRPT, mx: MXEvidence? = oneMX,
               _ status: DomainStatus, mode: PolicyMode? = nil, mxStatus: MXStatus = .notProbed,
               _ codes: Set<FindingCode> = []) -> ClassifierCase {
    ClassifierCase(source: source,
                   evidence: Evidence(domain: domain, scanTime: scanTime, txt: t, policyFetch: f, tlsrpt: tlsrpt, mx: mx),
                   status: status, mode: mode, mxStatus: mxStatus, codes: codes)
}

/// A valid policy body padded to exactly `size` bytes with an extension line (legal, §3.2 P7).
private func paddedBody(_ size: Int) -> [UInt8] {
    let head = enforceBody + Array("pad: ".utf8)
    return head + Array(repeating: UInt8(ascii: "x"), count: size - head.count - 2) + [0x0D, 0x0A]
}

struct ClassifierTests {
    static let cases: [ClassifierCase] = [
        // MARK: dns-error: the TXT lookup failed; adoption unknown
        c("verdicts dns-error: SERVFAIL", txt: DNSLookup(outcome: .servFail), .dnsError),
        c("verdicts dns-error: timeout", txt: DNSLookup(outcome: .timeout), .dnsError),
        c("verdicts dns-error: REFUSED", txt: DNSLookup(outcome: .refused), .dnsError),
        c("verdicts dns-error: malformed answer", txt: DNSLookup(outcome: .malformed), .dnsError),

        // MARK: no-record
        c("verdicts no-record: NXDOMAIN", txt: DNSLookup(outcome: .nxDomain), .noRecord),
        c("verdicts no-record: NODATA", txt: DNSLookup(outcome: .noError), .noRecord),
        c("§3.1 T7 no-record: only a non-STS TXT", txt: txt("v=spf1 -all"), .noRecord),
        c("verdicts no-record: v=STSv12 is not an STS record", txt: txt("v=STSv12; id=1"), .noRecord),
        c("§3.1 T3 no-record: lowercase v=stsv1", txt: txt("v=stsv1; id=1"), .noRecord),

        // MARK: record-invalid
        c("§3.1 T7 record-invalid: two STS records", txt: txt("v=STSv1; id=1", "v=STSv1; id=2"), .recordInvalid,
          [.txtMultipleSTSRecords]),
        c("§3.1 T4 record-invalid: no id", txt: txt("v=STSv1"), .recordInvalid, [.txtMissingID]),
        c("§3.1 T4 record-invalid: bad id", txt: txt("v=STSv1; id=2024-01-01"), .recordInvalid, [.txtInvalidID]),
        c("§3.1 T2 record-invalid: not ASCII", txt: txt("v=STSv1; id=1; x=\u{E9}"), .recordInvalid,
          [.txtNotASCII, .txtSyntaxError]),
        c("§3.1 T7 record-invalid even with a CNAME", txt: txt("v=STSv1", cname: ["_mta-sts.provider.example."]),
          .recordInvalid, [.txtMissingID, .txtCNAME]),

        // MARK: policy-fetch-error (before webpki in the order)
        c("§3.3 F5 policy-fetch-error: 404", fetch: fetch(status: 404), .policyFetchError, [.policyHTTPStatus]),
        c("§3.3 F5 policy-fetch-error: 500", fetch: fetch(status: 500), .policyFetchError, [.policyHTTPStatus]),
        c("§3.3 F5 policy-fetch-error: 301 is never followed", fetch: fetch(status: 301, location: "https://www.example.com/"),
          .policyFetchError, [.policyRedirect]),
        c("§3.3 F5 policy-fetch-error: 302", fetch: fetch(status: 302, location: "/x"), .policyFetchError, [.policyRedirect]),
        c("§3.3 F5 policy-fetch-error: 304 too", fetch: fetch(status: 304), .policyFetchError, [.policyRedirect]),
        c("§3.3 F7 policy-fetch-error: body over 64 KiB", fetch: fetch(body: paddedBody(65_537), tooLarge: true),
          .policyFetchError, [.policyTooLarge]),
        // The stored body (at most the limit + 1 bytes) decides too, so reclassifying stored evidence
        // gives the same status even when the flag was not stored.
        c("§3.3 F7 policy-fetch-error: 65,537 stored bytes", fetch: fetch(body: paddedBody(65_537)),
          .policyFetchError, [.policyTooLarge]),
        c("verdicts: 65,536 bytes is still allowed", fetch: fetch(body: paddedBody(65_536)), .valid, mode: .enforce,
          [.policyUnknownKey]),
        c("§3.3 policy-fetch-error: policy host NXDOMAIN", fetch: PolicyFetchEvidence(outcome: .hostNXDOMAIN),
          .policyFetchError, [.policyHostNXDOMAIN]),
        c("§3.3 policy-fetch-error: no address", fetch: PolicyFetchEvidence(outcome: .hostNoAddress),
          .policyFetchError, [.policyHostNoAddress]),
        c("§3.3 policy-fetch-error: connection refused", fetch: PolicyFetchEvidence(outcome: .connectFailed),
          .policyFetchError, [.policyConnectFailed]),
        c("§3.3 F7 policy-fetch-error: timeout", fetch: PolicyFetchEvidence(outcome: .timeout),
          .policyFetchError, [.policyTimeout]),
        c("verdicts order: a 404 behind an untrusted cert is a fetch error", fetch: fetch(status: 404, tls: tls(verify: 19)),
          .policyFetchError, [.policyHTTPStatus, .policyCertNotTrusted]),

        // MARK: policy-webpki-invalid (F2, F4)
        c("§3.3 F2 webpki: untrusted (verify 19, self-signed in chain)", fetch: fetch(tls: tls(verify: 19)),
          .policyWebPKIInvalid, [.policyCertNotTrusted]),
        c("§3.3 F2 webpki: untrusted (verify 20, missing intermediate)", fetch: fetch(tls: tls(verify: 20)),
          .policyWebPKIInvalid, [.policyCertNotTrusted]),
        c("§3.3 F2 webpki: expired (verify 10)", fetch: fetch(tls: tls(verify: 10)), .policyWebPKIInvalid, [.policyCertExpired]),
        c("§3.3 F2 webpki: notAfter before the scan time", fetch: fetch(tls: tls(notAfter: scanTime - 1)),
          .policyWebPKIInvalid, [.policyCertExpired]),
        c("§3.3 F2 webpki: notBefore after the scan time", fetch: fetch(tls: tls(notBefore: scanTime + 1)),
          .policyWebPKIInvalid, [.policyCertExpired]),
        c("§3.3 F2 webpki: host mismatch", fetch: fetch(tls: tls(names: ["www.example.com", "example.com"])),
          .policyWebPKIInvalid, [.policyCertHostMismatch]),
        c("§3.3 F2 webpki: CN-only certificate", fetch: fetch(tls: tls(names: [])),
          .policyWebPKIInvalid, [.policyCertHostMismatch]),
        c("§8.2 F10 webpki: delegated, cert for the provider's host", fetch: fetch(tls: tls(names: ["mta-sts.provider.example"])),
          .policyWebPKIInvalid, [.policyCertHostMismatch]),
        c("§7.2 F4 webpki: TLS 1.1", fetch: fetch(tls: tls(version: "TLSv1.1")), .policyWebPKIInvalid,
          [.policyTLSVersionTooOld]),
        c("verdicts webpki: handshake failure", fetch: PolicyFetchEvidence(outcome: .tlsHandshakeFailed),
          .policyWebPKIInvalid, [.policyTLSHandshakeFailed]),
        c("§3.3 F2 wildcard cert *.example.com is fine", fetch: fetch(tls: tls(names: ["*.example.com"])),
          .valid, mode: .enforce),

        // MARK: policy-invalid
        c("§3.2 F6 policy-invalid: text/html", fetch: fetch(contentType: "text/html"), .policyInvalid, [.policyContentType]),
        c("§3.2 F6 policy-invalid: no Content-Type", fetch: fetch(contentType: nil), .policyInvalid, [.policyContentType]),
        c("§3.2 F6 policy-invalid: application/octet-stream", fetch: fetch(contentType: "application/octet-stream"),
          .policyInvalid, [.policyContentType]),
        c("§3.2 policy-invalid: body error", fetch: fetch(body: Array("version: STSv1\r\nmode: Enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n".utf8)),
          .policyInvalid, [.policyInvalidMode]),
        c("§3.2 policy-invalid: empty body", fetch: fetch(body: []), .policyInvalid, [.policyEmpty]),
        c("§3.2 policy-invalid: BOM", fetch: fetch(body: [0xEF, 0xBB, 0xBF] + enforceBody), .policyInvalid, [.policyBOM]),
        c("§3.2 policy-invalid: both media type and body", fetch: fetch(contentType: "text/html", body: Array("<html>".utf8)),
          .policyInvalid, [.policyContentType, .policyMalformedLine, .policyMissingVersion, .policyMissingMode,
                           .policyMissingMaxAge]),
        c("§3.2 a warning alone keeps the policy valid", fetch: fetch(body: enforceBody + [0x0D, 0x0A]), .valid, mode: .enforce,
          [.policyBlankLine]),

        // MARK: valid
        c("§3.2 F6 text/plain; charset=utf-8 is text/plain", fetch: fetch(contentType: "text/plain; charset=utf-8"),
          .valid, mode: .enforce),
        c("§3.2 F6 text/plain;charset=us-ascii", fetch: fetch(contentType: "text/plain;charset=us-ascii"), .valid, mode: .enforce),
        c("RFC 2045 §5.1 media types are case-insensitive", fetch: fetch(contentType: "Text/Plain"), .valid, mode: .enforce),
        c("valid: enforce", .valid, mode: .enforce),
        c("valid: testing", fetch: fetch(body: Array("version: STSv1\nmode: testing\nmx: mail.example.com\nmax_age: 86400\n".utf8)),
          .valid, mode: .testing, [.policyLFLineEndings]),
        c("valid: none", fetch: fetch(body: Array("version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n".utf8)),
          .valid, mode: PolicyMode.none),
        c("§3.1 T7 errata 6285: v=STSv1 ; counts", txt: txt("v=STSv1 ; id=1"), .valid, mode: .enforce,
          [.txtSpaceBeforeSemicolon]),
        c("§3.1 T7 non-STS TXT beside it", txt: txt("v=spf1 -all", "v=STSv1; id=1"), .valid, mode: .enforce),
        c("§8.2 T9 txt-cname: reached through a CNAME chain",
          txt: txt("v=STSv1; id=1", cname: ["_mta-sts.provider.example."]), .valid, mode: .enforce, [.txtCNAME]),

        // MARK: TLS-RPT beside MTA-STS (RFC 8460 §3)
        c("verdicts tlsrpt-missing: valid policy, no TLS-RPT record", tlsrpt: DNSLookup(outcome: .nxDomain),
          .valid, mode: .enforce, [.tlsrptMissing]),
        c("verdicts tlsrpt-missing: NODATA", tlsrpt: DNSLookup(outcome: .noError), .valid, mode: .enforce, [.tlsrptMissing]),
        c("verdicts tlsrpt-missing: only when the policy is valid", fetch: fetch(contentType: "text/html"),
          tlsrpt: DNSLookup(outcome: .nxDomain), .policyInvalid, [.policyContentType]),
        c("verdicts tlsrpt-missing: not for a domain without MTA-STS", txt: DNSLookup(outcome: .nxDomain),
          tlsrpt: DNSLookup(outcome: .nxDomain), .noRecord),
        c("RFC 8460 §3 tlsrpt lookup failed is not 'missing'", tlsrpt: DNSLookup(outcome: .servFail), .valid, mode: .enforce),
        c("RFC 8460 §3 tlsrpt-invalid", tlsrpt: txt("v=TLSRPTv1; rua=mailto:reports@example.com!10m"),
          .valid, mode: .enforce, [.tlsrptInvalid]),
        c("RFC 8460 §3 tlsrpt-multiple", tlsrpt: txt("v=TLSRPTv1;rua=mailto:a@example.com", "v=TLSRPTv1;rua=mailto:b@example.com"),
          .valid, mode: .enforce, [.tlsrptMultiple]),

        // MARK: what the MX lookup alone decides
        c("RFC 5321 §5.1 mx-implicit: MX NXDOMAIN", mx: MXEvidence(lookup: .nxDomain, hosts: []), .valid, mode: .enforce,
          [.mxImplicit]),
        c("RFC 5321 §5.1 mx-implicit: MX NODATA", mx: MXEvidence(lookup: .noError, hosts: []), .valid, mode: .enforce,
          [.mxImplicit]),
        c("RFC 7505 mx-null", mx: MXEvidence(lookup: .noError, hosts: [.init(name: ".", preference: 0)]), .valid,
          mode: .enforce, mxStatus: .nullMX, [.mxNull]),
        c("verdicts mx-dns-error: SERVFAIL", mx: MXEvidence(lookup: .servFail, hosts: []), .valid, mode: .enforce,
          mxStatus: .dnsError, [.mxDNSError]),
        c("verdicts mx-dns-error: timeout", mx: MXEvidence(lookup: .timeout, hosts: []), .valid, mode: .enforce,
          mxStatus: .dnsError, [.mxDNSError]),
        c("verdicts: null-mx holds for a domain without MTA-STS too", txt: DNSLookup(outcome: .nxDomain),
          tlsrpt: nil, mx: MXEvidence(lookup: .noError, hosts: [.init(name: ".", preference: 0)]), .noRecord,
          mxStatus: .nullMX, [.mxNull]),
        c("verdicts: mx dns-error holds for a domain whose TXT failed too", txt: DNSLookup(outcome: .servFail),
          tlsrpt: nil, mx: MXEvidence(lookup: .servFail, hosts: []), .dnsError, mxStatus: .dnsError, [.mxDNSError]),

        // MARK: hostile MX sets and the scan's own limits (issue 14)
        c("RFC 5321 §2.3.5 mx-invalid-hostname: '@' in a label, under enforce",
          mx: probedMX([.init(name: "u@127.0.0.1", preference: 10)]), .valid, mode: .enforce, mxStatus: .nonePass,
          [.mxInvalidHostname, .mxPatternMismatch, .enforceBlocksAllMX]),
        c("RFC 5321 §2.3.5 mx-invalid-hostname: '/' in a label, mode none (no patterns)",
          fetch: fetch(body: Array("version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n".utf8)),
          mx: probedMX([.init(name: "127.0.0.1/x", preference: 10)]), .valid, mode: PolicyMode.none, mxStatus: .nonePass,
          [.mxInvalidHostname]),
        c("RFC 5321 §2.3.5 mx-invalid-hostname: an IP literal as MX, beside a passing host",
          mx: probedMX([.init(name: "mail.example.com", preference: 10, addresses: ["192.0.2.25"], probes: [passingProbe("mail.example.com")]),
                        .init(name: "127.0.0.1", preference: 20)]),
          .valid, mode: .enforce, mxStatus: .partial, [.mxInvalidHostname, .mxPatternMismatch]),
        c("RFC 1035 §5.1 mx-invalid-hostname: an escaped dot inside a label",
          mx: probedMX([.init(name: "mail\\.example.com", preference: 10)]), .valid, mode: .enforce, mxStatus: .nonePass,
          [.mxInvalidHostname, .mxPatternMismatch, .enforceBlocksAllMX]),
        c("issue 14 mx-too-many-hosts: hosts past --max-mx-hosts are not judged",
          mx: probedMX([.init(name: "mail.example.com", preference: 10, addresses: ["192.0.2.25"], probes: [passingProbe("mail.example.com")]),
                        .init(name: "b.example.com", preference: 20), .init(name: "c.example.com", preference: 30)], limit: 1),
          .valid, mode: .enforce, mxStatus: .allPass, [.mxTooManyHosts]),
        c("issue 14 scan-deadline: an address not probed before the deadline is not judged",
          mx: probedMX([.init(name: "mail.example.com", preference: 10, addresses: ["192.0.2.25"],
                              probes: [SMTPProbeEvidence(address: "192.0.2.25", outcome: .deadline)])]),
          .valid, mode: .enforce, mxStatus: .notProbed, [.scanDeadline]),
        c("issue 14 scan-deadline: the policy not fetched before the deadline", fetch: PolicyFetchEvidence(outcome: .deadline),
          .policyFetchError, [.scanDeadline]),
    ]

    @Test(arguments: cases)
    func classify(_ c: ClassifierCase) {
        let v = Classifier.classify(c.evidence)
        #expect(v.status == c.status, "\(c.source): \(v.findings)")
        // verdicts.md: mode is set when status is valid, and null otherwise.
        #expect(v.mode == (c.status == .valid ? c.mode : nil), "\(c.source)")
        #expect(v.mxStatus == c.mxStatus, "\(c.source)")
        #expect(Set(v.findings.map(\.code)) == c.codes, "\(c.source): \(v.findings)")
    }

    @Test func hostsPastTheProbeLimitHaveNullResults() {
        let v = Classifier.classify(Evidence(domain: domain, scanTime: scanTime, txt: txt("v=STSv1; id=1"), policyFetch: fetch(),
                                             tlsrpt: goodTLSRPT,
                                             mx: probedMX([.init(name: "mail.example.com", preference: 10, addresses: ["192.0.2.25"],
                                                                 probes: [passingProbe("mail.example.com")]),
                                                           .init(name: "b.example.com", preference: 20)], limit: 1)))
        #expect(v.mx.map(\.result) == [.pass, nil])
    }

    @Test func implicitMXListsTheDomainItself() {
        let v = Classifier.classify(Evidence(domain: domain, scanTime: scanTime, txt: DNSLookup(outcome: .nxDomain),
                                             mx: MXEvidence(lookup: .nxDomain, hosts: [])))
        #expect(v.mx.map(\.host) == [domain])
        #expect(v.mx.allSatisfy { $0.result == nil })
    }

    @Test func unprobedHostsAreListedWithNullResult() {
        let v = Classifier.classify(Evidence(domain: domain, scanTime: scanTime, txt: DNSLookup(outcome: .nxDomain), mx: oneMX))
        #expect(v.mx.map(\.host) == ["mail.example.com."])
        #expect(v.mx.allSatisfy { $0.result == nil })
        #expect(v.mxStatus == .notProbed)
    }

    @Test func fetchFindingsNameThePolicyHost() {
        let v = Classifier.classify(Evidence(domain: domain, scanTime: scanTime, txt: txt("v=STSv1; id=1"),
                                             policyFetch: fetch(status: 404)))
        #expect(v.findings.first { $0.code == .policyHTTPStatus }?.host == "mta-sts.example.com")
    }

    /// classify skips both parsers when a lookup has no TXT records (most domains): what they
    /// return for none must be what it states, an absent record with no findings.
    @Test func noTXTRecordsIsWhatTheParsersSay() {
        let sts = STSRecordParser.parse([])
        #expect(sts.kind == .absent && sts.findings.isEmpty)
        #expect(TLSRPTParser.parse([]) == TLSRPTResult(status: .absent, rua: [], raw: nil, findings: []))
        for outcome in [DNSOutcome.noError, .nxDomain] {
            let v = Classifier.classify(Evidence(domain: domain, scanTime: scanTime, txt: DNSLookup(outcome: outcome),
                                                 tlsrpt: DNSLookup(outcome: outcome), mx: oneMX))
            #expect(v == Verdict(status: .noRecord, mxStatus: .notProbed,
                                 mx: [MXHostVerdict(host: "mail.example.com.", preference: 10, result: nil)],
                                 tlsrpt: TLSRPTResult(status: .absent, rua: [], raw: nil, findings: [])))
        }
    }

    // MARK: media type (§3.2: "text/plain"; parameters ignored)

    @Test(arguments: [
        ("text/plain", true), ("text/plain; charset=utf-8", true), ("text/plain;charset=us-ascii", true),
        ("TEXT/PLAIN", true), (" text/plain ", true), ("text/plain; format=flowed", true),
        ("text/html", false), ("text/plainx", false), ("text/plai", false), ("application/json", false),
        ("text", false), ("", false),
    ])
    func mediaType(_ header: String, _ expected: Bool) {
        #expect(MediaType.isTextPlain(header) == expected)
    }

    @Test func missingContentTypeIsNotTextPlain() { #expect(!MediaType.isTextPlain(nil)) }

    @Test func paddedBodiesHaveTheirSize() {
        #expect(paddedBody(65_536).count == 65_536)
        #expect(paddedBody(65_537).count == 65_537)
        #expect(PolicyFetchEvidence.maxBodyBytes == 65_536)
    }
}
