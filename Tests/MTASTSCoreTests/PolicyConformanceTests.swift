// The policy body, RFC 8461 §3.2, as a table of (bytes, expected) rows.
//
// Rules P1.. are those of shared/reference/rfc-checklist.md; the codes and severities are those of
// shared/spec/verdicts.md. `codes` is the exact set of finding codes the body must produce; `valid`
// is "no finding of severity error" (verdicts.md, policy-invalid).

import Testing
@testable import MTASTSCore

struct PolicyCase: Sendable, CustomTestStringConvertible {
    let source: String
    let body: [UInt8]
    let valid: Bool
    let mode: PolicyMode?
    let maxAge: Int?
    /// The well-formed mx patterns, in order; nil when the row does not care.
    let mx: [String]?
    let codes: Set<FindingCode>

    var testDescription: String {
        // Show CR and LF as escapes (byte-wise: "\r\n" is one Character in Swift).
        let shown = body.prefix(60).map { $0 == 0x0D ? "\\r" : $0 == 0x0A ? "\\n" : String(decoding: [$0], as: UTF8.self) }.joined()
        return "\(source) \"\(shown)\(body.count > 60 ? "…" : "")\""
    }
}

private func p(_ source: String, _ body: String, valid: Bool, mode: PolicyMode? = nil, maxAge: Int? = nil,
               mx: [String]? = nil, _ codes: Set<FindingCode> = []) -> PolicyCase {
    PolicyCase(source: source, body: Array(body.utf8), valid: valid, mode: mode, maxAge: maxAge, mx: mx, codes: codes)
}

private func p(_ source: String, bytes: [UInt8], valid: Bool, mode: PolicyMode? = nil, maxAge: Int? = nil,
               mx: [String]? = nil, _ codes: Set<FindingCode> = []) -> PolicyCase {
    PolicyCase(source: source, body: bytes, valid: valid, mode: mode, maxAge: maxAge, mx: mx, codes: codes)
}

/// RFC 8461 §3.2 / Appendix A example, verbatim, with CRLF line endings as the prose says.
let rfcExamplePolicy = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n"
private let rfcExampleMX = ["mail.example.com", "*.example.net", "backupmx.example.com"]

/// A clean enforce policy with one mx, CRLF: the baseline the rows below vary one line of.
private func enforce(maxAge: String = "604800", mx: String = "mail.example.com", mode: String = "enforce") -> String {
    "version: STSv1\r\nmode: \(mode)\r\nmx: \(mx)\r\nmax_age: \(maxAge)\r\n"
}

private let key32 = "k" + String(repeating: "_-.9", count: 7) + "abc"   // 32 chars of ext-name
private let key33 = key32 + "d"

struct PolicyConformanceTests {
    static let cases: [PolicyCase] = [
        // MARK: the RFC's example
        p("§3.2 example / App. A, CRLF", rfcExamplePolicy, valid: true, mode: .enforce, maxAge: 604800,
          mx: rfcExampleMX, [.policyWildcardMX]),
        p("§3.2 P1 example with LF (ABNF: sts-policy-term = LF / CRLF)",
          rfcExamplePolicy.replacing("\r\n", with: "\n"), valid: true, mode: .enforce,
          maxAge: 604800, mx: rfcExampleMX, [.policyWildcardMX, .policyLFLineEndings]),

        // MARK: line endings and blank lines (P1)
        p("§3.2 P1 mixed CRLF and LF", "version: STSv1\r\nmode: enforce\nmx: mail.example.com\r\nmax_age: 604800\n",
          valid: true, mode: .enforce, maxAge: 604800, mx: ["mail.example.com"], [.policyMixedLineEndings]),
        p("§3.2 P1 bare CR as line ending", "version: STSv1\rmode: enforce\rmx: mail.example.com\rmax_age: 604800\r",
          valid: false, [.policyBareCR]),
        p("§3.2 P1 one bare CR at the end", "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r",
          valid: false, [.policyBareCR]),
        p("§3.2 P1 final terminator optional", "version: STSv1\r\nmode: none\r\nmax_age: 86400",
          valid: true, mode: PolicyMode.none, maxAge: 86400, mx: []),
        p("§3.2 P1 blank line in the middle", "version: STSv1\r\nmode: enforce\r\n\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
          valid: true, mode: .enforce, maxAge: 604800, mx: ["mail.example.com"], [.policyBlankLine]),
        p("§3.2 P1 a trailing extra line break", enforce() + "\r\n",
          valid: true, mode: .enforce, maxAge: 604800, [.policyBlankLine]),
        p("§3.2 P1 a trailing extra LF, LF file", enforce().replacing("\r\n", with: "\n") + "\n",
          valid: true, mode: .enforce, [.policyLFLineEndings, .policyBlankLine]),
        p("§3.2 P1 a whitespace-only line in the middle", "version: STSv1\r\n \t\r\nmode: none\r\nmax_age: 86400\r\n",
          valid: true, mode: PolicyMode.none, [.policyBlankLine]),
        p("§3.2 empty body", "", valid: false, [.policyEmpty]),
        p("§3.2 only line breaks", "\r\n\r\n", valid: false, [.policyEmpty]),

        // MARK: bytes that are not a field (P2)
        p("§3.2 P2 UTF-8 BOM", bytes: [0xEF, 0xBB, 0xBF] + Array(enforce().utf8), valid: false, mode: .enforce,
          [.policyBOM]),
        p("§3.2 P2 leading space", " version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
          valid: false, [.policyLeadingWhitespace]),
        p("§3.2 P2 leading tab on an mx line", "version: STSv1\r\nmode: enforce\r\n\tmx: mail.example.com\r\nmax_age: 604800\r\n",
          valid: false, [.policyLeadingWhitespace]),
        p("§3.2 P2 line without ':'", "version STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
          valid: false, [.policyMalformedLine, .policyMissingVersion]),
        p("§3.2 P2 '#' comment line", "# MTA-STS policy\r\n" + enforce(),
          valid: false, mode: .enforce, [.policyMalformedLine]),
        p("§3.2 P2 '#' comment holding a ':'", "# see: RFC 8461\r\n" + enforce(),
          valid: false, mode: .enforce, [.policyMalformedLine]),
        p("§3.2 P2 space before ':'", "version: STSv1\r\nmode : enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
          valid: false, [.policyMalformedLine, .policyMissingMode]),
        p("§3.2 P2 no WSP after ':' (\":\" *WSP)", "version:STSv1\r\nmode:enforce\r\nmx:mail.example.com\r\nmax_age:604800\r\n",
          valid: true, mode: .enforce, maxAge: 604800, mx: ["mail.example.com"]),
        p("§3.2 P2 tabs after ':'", "version:\tSTSv1\r\nmode:\t\tenforce\r\nmx: \tmail.example.com\r\nmax_age:\t604800\r\n",
          valid: true, mode: .enforce, maxAge: 604800, mx: ["mail.example.com"]),
        p("§3.2 P2 trailing WSP is allowed", "version: STSv1 \r\nmode: enforce\t\r\nmx: mail.example.com  \r\nmax_age: 604800 \r\n",
          valid: true, mode: .enforce, maxAge: 604800, mx: ["mail.example.com"]),
        p("§3.2 P2 nothing but a word", "hello", valid: false,
          [.policyMalformedLine, .policyMissingVersion, .policyMissingMode, .policyMissingMaxAge]),

        // MARK: version (P3)
        p("§3.2 version missing", "mode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
          valid: false, mode: .enforce, [.policyMissingVersion]),
        p("§3.2 P3 version value case-sensitive", enforce().replacing("STSv1", with: "stsv1"),
          valid: false, [.policyInvalidVersion]),
        p("§3.2 version STSv2", enforce().replacing("STSv1", with: "STSv2"),
          valid: false, [.policyInvalidVersion]),
        p("§3.2 version empty", enforce().replacing("version: STSv1", with: "version:"),
          valid: false, [.policyInvalidVersion]),
        p("§3.2 P3 field name case-sensitive: Version", enforce().replacing("version:", with: "Version:"),
          valid: false, [.policyUnknownKey, .policyMissingVersion]),
        p("§3.2 P4 version not first is legal (info)", "mode: enforce\r\nversion: STSv1\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
          valid: true, mode: .enforce, maxAge: 604800, [.policyVersionNotFirst]),
        p("§3.2 P4 version last", "mode: testing\r\nmx: mail.example.com\r\nmax_age: 604800\r\nversion: STSv1\r\n",
          valid: true, mode: .testing, [.policyVersionNotFirst]),
        p("§3.2 P7 duplicate version: first counts", "version: STSv1\r\nversion: STSv2\r\nmode: none\r\nmax_age: 86400\r\n",
          valid: true, mode: PolicyMode.none, [.policyDuplicateKey]),

        // MARK: mode (P3, P7)
        p("§3.2 mode testing", enforce(mode: "testing"), valid: true, mode: .testing, maxAge: 604800, mx: ["mail.example.com"]),
        p("§3.2 mode none", enforce(mode: "none"), valid: true, mode: PolicyMode.none, maxAge: 604800, mx: ["mail.example.com"]),
        p("§3.2 P3 mode: Enforce", enforce(mode: "Enforce"), valid: false, [.policyInvalidMode]),
        p("§3.2 P3 mode: ENFORCE", enforce(mode: "ENFORCE"), valid: false, [.policyInvalidMode]),
        p("§3.2 mode: report (a draft's word, not RFC 8461's)", enforce(mode: "report"), valid: false, [.policyInvalidMode]),
        p("§3.2 mode empty", "version: STSv1\r\nmode:\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
          valid: false, [.policyInvalidMode]),
        p("§3.2 mode missing", "version: STSv1\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
          valid: false, [.policyMissingMode]),
        p("§3.2 P7 duplicate mode: the first wins", "version: STSv1\r\nmode: testing\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
          valid: true, mode: .testing, [.policyDuplicateKey]),
        p("§3.2 P7 duplicate mode, first invalid: the first still wins",
          "version: STSv1\r\nmode: Enforce\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
          valid: false, mode: nil, [.policyInvalidMode, .policyDuplicateKey]),

        // MARK: max_age (P5)
        p("§3.2 P5 max_age 0 is a legal value, short", enforce(maxAge: "0"), valid: true, mode: .enforce, maxAge: 0,
          [.policyMaxAgeShort]),
        p("§3.2 P5 max_age 86399: under a day", enforce(maxAge: "86399"), valid: true, maxAge: 86399, [.policyMaxAgeShort]),
        p("§3.2 P5 max_age 86400: one day is not short", enforce(maxAge: "86400"), valid: true, maxAge: 86400),
        p("§3.2 P5 max_age 31557600 is the maximum", enforce(maxAge: "31557600"), valid: true, maxAge: 31557600),
        p("§3.2 P5 max_age 31557601 too large", enforce(maxAge: "31557601"), valid: false, [.policyMaxAgeTooLarge]),
        p("§3.2 P5 1*10DIGIT: 10 digits with leading zeros", enforce(maxAge: "0000604800"), valid: true, maxAge: 604800),
        p("§3.2 P5 10 digits, over the prose maximum", enforce(maxAge: "9999999999"), valid: false, [.policyMaxAgeTooLarge]),
        p("§3.2 P5 11 digits break 1*10DIGIT", enforce(maxAge: "00000604800"), valid: false, [.policyInvalidMaxAge]),
        p("§3.2 P5 -1", enforce(maxAge: "-1"), valid: false, maxAge: nil, [.policyInvalidMaxAge]),
        p("§3.2 P5 1e6", enforce(maxAge: "1e6"), valid: false, maxAge: nil, [.policyInvalidMaxAge]),
        p("§3.2 P5 +86400", enforce(maxAge: "+86400"), valid: false, [.policyInvalidMaxAge]),
        p("§3.2 P5 unit suffix 86400s", enforce(maxAge: "86400s"), valid: false, [.policyInvalidMaxAge]),
        p("§3.2 P5 space inside digits", enforce(maxAge: "86 400"), valid: false, [.policyInvalidMaxAge]),
        p("§3.2 P5 empty", enforce(maxAge: ""), valid: false, [.policyInvalidMaxAge]),
        p("§3.2 max_age missing", "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n", valid: false,
          [.policyMissingMaxAge]),
        p("§3.2 P3/P7 max-age is an unknown key, max_age then missing", enforce().replacing("max_age", with: "max-age"),
          valid: false, [.policyUnknownKey, .policyMissingMaxAge]),
        p("§3.2 P7 duplicate max_age: the first wins", enforce() + "max_age: 86400\r\n", valid: true, maxAge: 604800,
          [.policyDuplicateKey]),

        // MARK: mx (P6, §3.2 "required ... except when mode is none")
        p("§3.2 mx required in enforce", "version: STSv1\r\nmode: enforce\r\nmax_age: 604800\r\n", valid: false,
          mode: .enforce, mx: [], [.policyMissingMX]),
        p("§3.2 mx required in testing", "version: STSv1\r\nmode: testing\r\nmax_age: 604800\r\n", valid: false,
          mode: .testing, [.policyMissingMX]),
        p("§3.2 mx not required in none", "version: STSv1\r\nmode: none\r\nmax_age: 604800\r\n", valid: true,
          mode: PolicyMode.none, mx: []),
        p("§3.2 P3 MX is not mx", enforce().replacing("mx:", with: "MX:"), valid: false,
          [.policyUnknownKey, .policyMissingMX]),
        p("§3.2 P7 every mx line counts", "version: STSv1\r\nmode: enforce\r\nmx: a.example.com\r\nmx: b.example.com\r\nmx: a.example.com\r\nmax_age: 604800\r\n",
          valid: true, mx: ["a.example.com", "b.example.com", "a.example.com"]),
        p("§10.4 M7 wildcard mx (info)", enforce(mx: "*.example.com"), valid: true, mx: ["*.example.com"], [.policyWildcardMX]),
        p("§3.2 P6 A-label mx", enforce(mx: "xn--bcher-kva.example"), valid: true, mx: ["xn--bcher-kva.example"]),
        p("§3.2 P6 U-label mx is not a Domain", enforce(mx: "b\u{FC}cher.example"), valid: false, mx: [], [.policyInvalidMXPattern]),
        p("§3.2 mx *.*.example.com", enforce(mx: "*.*.example.com"), valid: false, mx: [], [.policyInvalidMXPattern]),
        p("§3.2/§4.1 mx mx*.example.com (partial wildcard)", enforce(mx: "mx*.example.com"), valid: false, [.policyInvalidMXPattern]),
        p("§3.2 mx bare *", enforce(mx: "*"), valid: false, [.policyInvalidMXPattern]),
        p("§3.2 mx IPv4 address", enforce(mx: "192.0.2.1"), valid: false, [.policyInvalidMXPattern]),
        p("§3.2 mx address literal", enforce(mx: "[192.0.2.1]"), valid: false, [.policyInvalidMXPattern]),
        p("§3.2 mx with a port", enforce(mx: "mail.example.com:25"), valid: false, [.policyInvalidMXPattern]),
        p("§3.2 P6 two hosts on one line, space", enforce(mx: "a.example.com b.example.com"), valid: false, [.policyInvalidMXPattern]),
        p("§3.2 P6 two hosts on one line, comma", enforce(mx: "a.example.com,b.example.com"), valid: false, [.policyInvalidMXPattern]),
        p("§3.2 mx trailing dot (RFC 5321 Domain has none)", enforce(mx: "mail.example.com."), valid: false, [.policyInvalidMXPattern]),
        p("§3.2 mx empty", enforce(mx: ""), valid: false, mx: [], [.policyInvalidMXPattern]),
        p("verdicts.md: one bad pattern makes the policy invalid",
          "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.*.example.com\r\nmax_age: 604800\r\n",
          valid: false, mx: ["mail.example.com"], [.policyInvalidMXPattern]),
        p("verdicts.md: a bad pattern is an error in mode none too", enforce(mx: "mx*.example.com", mode: "none"),
          valid: false, mode: PolicyMode.none, [.policyInvalidMXPattern]),

        // MARK: extensions (P7)
        p("§3.2 P7 unknown key accepted (info)", enforce() + "note: hello world\r\n", valid: true, mode: .enforce,
          [.policyUnknownKey]),
        p("§3.2 P7 unknown key value may be UTF-8", enforce() + "contact: Jos\u{E9}\r\n", valid: true, [.policyUnknownKey]),
        p("§3.2 ext-name 32 chars", enforce() + "\(key32): x\r\n", valid: true, [.policyUnknownKey]),
        p("§3.2 ext-name 33 chars is not a field name", enforce() + "\(key33): x\r\n", valid: false, [.policyMalformedLine]),
        p("§3.2 ext-value no CTLs", enforce() + "note: a\u{01}b\r\n", valid: false, [.policyMalformedLine]),
        p("§3.2 ext-value must be UTF-8", bytes: Array(enforce().utf8) + Array("note: ".utf8) + [0xC3, 0x28] + [0x0D, 0x0A],
          valid: false, [.policyMalformedLine]),
    ]

    @Test(arguments: cases)
    func policy(_ c: PolicyCase) {
        let r = PolicyParser.parse(c.body)
        #expect(Set(r.findings.map(\.code)) == c.codes, "\(c.source): \(r.findings)")
        #expect(r.isValid == c.valid, "\(c.source)")
        if let mode = c.mode { #expect(r.mode == mode, "\(c.source)") }
        if c.mode == nil && c.codes.contains(.policyInvalidMode) { #expect(r.mode == nil, "\(c.source)") }
        if let maxAge = c.maxAge { #expect(r.maxAge == maxAge, "\(c.source)") }
        if c.codes.contains(.policyInvalidMaxAge) { #expect(r.maxAge == nil, "\(c.source)") }
        if let mx = c.mx { #expect(r.mx == mx, "\(c.source)") }
    }

    @Test func rfcExampleFields() {
        let r = PolicyParser.parse(Array(rfcExamplePolicy.utf8))
        #expect(r.version == "STSv1")
        #expect(r.mode == .enforce)
        #expect(r.maxAge == 604800)
        #expect(r.mx == rfcExampleMX)
        #expect(r.extensions.isEmpty)
    }

    // MARK: robustness: 1 MiB of garbage gives findings, never a crash

    @Test func megabyteOfRandomBytes() {
        var rng = SplitMix64(seed: 0x5354_5331)
        let garbage = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let r = PolicyParser.parse(garbage)
        #expect(!r.isValid)
        #expect(!r.findings.isEmpty)
        #expect(r.findings.contains(.policyMissingVersion))
        // Details are excerpts: a huge line cannot bloat what is stored.
        #expect(r.findings.allSatisfy { ($0.detail?.count ?? 0) < 200 })
    }

    @Test func megabyteOfOneLine() {
        let r = PolicyParser.parse(Array(repeating: UInt8(ascii: "a"), count: 1 << 20))
        #expect(!r.isValid)
        #expect(r.findings.contains(.policyMalformedLine))
        #expect(r.findings.allSatisfy { ($0.detail?.count ?? 0) < 200 })
    }

    @Test func megabyteOfBareCR() {
        let r = PolicyParser.parse(Array(repeating: ASCII.cr, count: 1 << 20))
        #expect(!r.isValid)
        #expect(r.findings.contains(.policyEmpty))
    }

    @Test func megabyteOfLines() {
        let body = Array(String(repeating: "mx: a.example.com\n", count: (1 << 20) / 18).utf8)
        let r = PolicyParser.parse(body)
        #expect(!r.isValid)
        #expect(r.findings.contains(.policyMissingVersion))
        #expect(r.mx.count == (1 << 20) / 18)
    }
}
