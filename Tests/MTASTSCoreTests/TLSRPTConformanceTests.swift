// The TLS-RPT record `_smtp._tls.<domain>`, RFC 8460 §3, as a table of (RRset, expected) rows.
//
//   tlsrpt-record = %s"v=TLSRPTv1" 1*(field-delim tlsrpt-field) [field-delim]
//   field-delim   = *WSP ";" *WSP
//   tlsrpt-rua    = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
//   tlsrpt-uri    = URI ; commas, "!" and ";" MUST be percent-encoded; schemes mailto: and https:
//
// "absent" has no finding of its own here: `tlsrpt-missing` is a domain finding, raised by the
// classifier beside a valid policy (see ClassifierTests).

import Testing
@testable import MTASTSCore

struct TLSRPTCase: Sendable, CustomTestStringConvertible {
    let source: String
    let rrset: [[String]]
    let status: TLSRPTResult.Status
    let rua: [String]
    let codes: Set<FindingCode>

    var testDescription: String { "\(source) \(rrset)" }
    var txt: [TXTRecord] { rrset.map { $0.map { Array($0.utf8) } } }
}

private func t(_ source: String, _ record: String, _ status: TLSRPTResult.Status, rua: [String] = []) -> TLSRPTCase {
    TLSRPTCase(source: source, rrset: [[record]], status: status, rua: rua,
               codes: status == .invalid ? [.tlsrptInvalid] : status == .multiple ? [.tlsrptMultiple] : [])
}

private func t(_ source: String, rrset: [[String]], _ status: TLSRPTResult.Status, rua: [String] = []) -> TLSRPTCase {
    TLSRPTCase(source: source, rrset: rrset, status: status, rua: rua,
               codes: status == .invalid ? [.tlsrptInvalid] : status == .multiple ? [.tlsrptMultiple] : [])
}

private let reports = "mailto:reports@example.com"

struct TLSRPTConformanceTests {
    static let cases: [TLSRPTCase] = [
        // MARK: the RFC's examples (RFC 8460 §3.1.1 and §3.1.2)
        t("RFC 8460 §3 mailto example", "v=TLSRPTv1;rua=mailto:reports@example.com", .valid, rua: [reports]),
        // The RFC prints it over two lines ("v=TLSRPTv1; \" then "rua=https://..."): one record.
        t("RFC 8460 §3 https example", "v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt", .valid,
          rua: ["https://reporting.example.com/v1/tlsrpt"]),
        t("RFC 8460 §3 https example, no WSP", "v=TLSRPTv1;rua=https://reporting.example.com/v1/tlsrpt", .valid,
          rua: ["https://reporting.example.com/v1/tlsrpt"]),

        // MARK: rua lists
        t("RFC 8460 §3 several URIs", "v=TLSRPTv1; rua=mailto:a@example.com,mailto:b@example.com", .valid,
          rua: ["mailto:a@example.com", "mailto:b@example.com"]),
        t("RFC 8460 §3 *WSP \",\" *WSP", "v=TLSRPTv1; rua=mailto:a@example.com , https://r.example.com/tlsrpt", .valid,
          rua: ["mailto:a@example.com", "https://r.example.com/tlsrpt"]),
        t("RFC 8460 §3 tabs around ','", "v=TLSRPTv1; rua=mailto:a@example.com\t,\tmailto:b@example.com;", .valid,
          rua: ["mailto:a@example.com", "mailto:b@example.com"]),
        t("RFC 8460 §3 three URIs", "v=TLSRPTv1; rua=mailto:a@example.com, mailto:b@example.org, https://c.example.net/r",
          .valid, rua: ["mailto:a@example.com", "mailto:b@example.org", "https://c.example.net/r"]),
        t("RFC 8460 §3 ',' percent-encoded inside a URI", "v=TLSRPTv1; rua=mailto:a%2Cb@example.com", .valid,
          rua: ["mailto:a%2Cb@example.com"]),
        t("RFC 8460 §3 DMARC-style !10m size suffix", "v=TLSRPTv1; rua=mailto:reports@example.com!10m", .invalid),
        t("RFC 8460 §3 !10m on one of two URIs", "v=TLSRPTv1; rua=mailto:a@example.com!10m,mailto:b@example.com", .invalid),
        t("RFC 8460 §3 http: is not a reporting scheme", "v=TLSRPTv1; rua=http://reporting.example.com/v1/tlsrpt", .invalid),
        t("RFC 8460 §3 ftp: is not a reporting scheme", "v=TLSRPTv1; rua=ftp://reporting.example.com/tlsrpt", .invalid),
        t("RFC 8460 §3 bare address is not a URI", "v=TLSRPTv1; rua=reports@example.com", .invalid),
        t("RFC 8460 §3 URIs separated by SP only", "v=TLSRPTv1; rua=mailto:a@example.com mailto:b@example.com", .invalid),
        t("RFC 8460 §3 trailing ',' needs a URI", "v=TLSRPTv1; rua=mailto:a@example.com,", .invalid),
        t("RFC 8460 §3 empty rua", "v=TLSRPTv1; rua=", .invalid),
        t("RFC 8460 §3 ';' ends the field: a URI may not hold one", "v=TLSRPTv1; rua=mailto:a@example.com;b@example.com",
          .invalid),
        // RFC 3986 §3.1: schemes are case-insensitive.
        t("RFC 3986 §3.1 scheme case", "v=TLSRPTv1; rua=MAILTO:reports@example.com", .valid,
          rua: ["MAILTO:reports@example.com"]),

        // MARK: record shape
        t("RFC 8460 §3 rua required", "v=TLSRPTv1; ext=1", .invalid),
        t("RFC 8460 §3 version alone", "v=TLSRPTv1", .invalid),
        t("RFC 8460 §3 version and ';' alone", "v=TLSRPTv1;", .invalid),
        t("RFC 8460 §3 extension field ignored", "v=TLSRPTv1; rua=mailto:reports@example.com; ext=1", .valid, rua: [reports]),
        t("RFC 8460 §3 extension before rua", "v=TLSRPTv1; ext=a.b; rua=mailto:reports@example.com", .valid, rua: [reports]),
        t("RFC 8460 §3 tlsrpt-ext-value excludes '='", "v=TLSRPTv1; rua=mailto:reports@example.com; ext=a=b", .invalid),
        t("RFC 8460 §3 field-delim allows WSP before ';'", "v=TLSRPTv1 ; rua=mailto:reports@example.com ;", .valid,
          rua: [reports]),
        t("RFC 8460 §3 US-ASCII: non-ASCII host", "v=TLSRPTv1; rua=mailto:rapport@ex\u{E4}mple.com", .invalid),

        // MARK: which TXT records are TLS-RPT records, and how many
        t("RFC 8460 §3 no record", rrset: [], .absent),
        t("RFC 8460 §3 only other TXT", rrset: [["v=spf1 -all"]], .absent),
        t("RFC 8460 §3 %s\"v=TLSRPTv1\" case-sensitive", "v=tlsrptv1; rua=mailto:reports@example.com", .absent),
        t("RFC 8460 §3 v=TLSRPTv10 is another record", "v=TLSRPTv10; rua=mailto:reports@example.com", .absent),
        t("RFC 8460 §3 other TXT beside the TLS-RPT one", rrset: [["v=spf1 -all"], ["v=TLSRPTv1;rua=mailto:reports@example.com"]],
          .valid, rua: [reports]),
        t("RFC 8460 §3 two records: no TLS-RPT", rrset: [["v=TLSRPTv1;rua=mailto:a@example.com"],
                                                          ["v=TLSRPTv1;rua=mailto:b@example.com"]], .multiple),
        t("RFC 8460 §3 strings joined without spaces", rrset: [["v=TLSRPTv1;", "rua=mailto:reports@example.com"]],
          .valid, rua: [reports]),
        t("RFC 8460 §3 split inside the URI", rrset: [["v=TLSRPTv1; rua=mailto:reports@exa", "mple.com"]],
          .valid, rua: [reports]),
    ]

    @Test(arguments: cases)
    func tlsrpt(_ c: TLSRPTCase) {
        let r = TLSRPTParser.parse(c.txt)
        #expect(r.status == c.status, "\(c.source): \(r.findings)")
        #expect(Set(r.findings.map(\.code)) == c.codes, "\(c.source)")
        // The rua list is contractual only for a usable record (cli.md: `rua` for TLS-RPT).
        if c.status == .valid { #expect(r.rua == c.rua, "\(c.source)") }
    }

    @Test func megabyteOfGarbage() {
        var rng = SplitMix64(seed: 0x544C_5352)
        let garbage = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let r = TLSRPTParser.parse([[Array("v=TLSRPTv1; rua=".utf8), garbage]])
        #expect(r.status == .invalid)
        #expect(r.findings.contains(.tlsrptInvalid))
        #expect(TLSRPTParser.parse([[garbage]]).status == .absent)
    }
}
