// The public vocabulary of shared/spec/verdicts.md, copied here as string literals, held against the
// code (FindingCode, Severity, DomainStatus, MXStatus, MXResult) and against the conformance tables.
// The sets are copied from verdicts.md's text on purpose, not derived from FindingCode.allCases: if
// the code drops or renames a code, or the tables stop exercising one, these tests fail.

import Testing
@testable import MTASTSCore

enum Verdicts {
    /// verdicts.md, "Findings", "TXT record:".
    static let txtRecord: Set<String> = [
        "txt-multiple-sts-records", "txt-syntax-error", "txt-missing-id", "txt-invalid-id", "txt-not-ascii",
        "txt-space-before-semicolon", "txt-unknown-field", "txt-multi-string", "txt-cname",
    ]
    /// "Policy fetch:".
    static let policyFetch: Set<String> = [
        "policy-host-nxdomain", "policy-host-no-address", "policy-connect-failed", "policy-timeout",
        "policy-tls-handshake-failed", "policy-tls-version-too-old", "policy-cert-not-trusted",
        "policy-cert-expired", "policy-cert-host-mismatch", "policy-http-status", "policy-redirect",
        "policy-too-large", "policy-content-type",
    ]
    /// "Policy body:".
    static let policyBody: Set<String> = [
        "policy-empty", "policy-bom", "policy-bare-cr", "policy-lf-line-endings", "policy-mixed-line-endings",
        "policy-blank-line", "policy-leading-whitespace", "policy-malformed-line", "policy-missing-version",
        "policy-invalid-version", "policy-missing-mode", "policy-invalid-mode", "policy-missing-max-age",
        "policy-invalid-max-age", "policy-max-age-too-large", "policy-max-age-short", "policy-missing-mx",
        "policy-invalid-mx-pattern", "policy-duplicate-key", "policy-unknown-key", "policy-version-not-first",
        "policy-wildcard-mx",
    ]
    /// "MX:".
    static let mx: Set<String> = [
        "mx-pattern-mismatch", "mx-starttls-not-supported", "mx-cert-host-mismatch", "mx-cert-expired",
        "mx-cert-not-trusted", "mx-tls-failure", "mx-unreachable", "mx-null", "mx-implicit", "mx-dns-error",
        "mx-sni-dependent",
    ]
    /// "Domain:".
    static let domain: Set<String> = [
        "enforce-blocks-all-mx", "testing-would-fail", "tlsrpt-missing", "tlsrpt-invalid", "tlsrpt-multiple", "dane-tlsa",
    ]
    /// The TLS-RPT codes among "Domain:".
    static let tlsrpt: Set<String> = ["tlsrpt-missing", "tlsrpt-invalid", "tlsrpt-multiple"]
    /// "Across scans".
    static let acrossScans: Set<String> = [
        "policy-changed-id-unchanged", "policy-id-changed-body-same", "mode-changed", "record-removed",
    ]
    static var allFindings: Set<String> { txtRecord.union(policyFetch).union(policyBody).union(mx).union(domain).union(acrossScans) }

    /// Severities verdicts.md states in words next to a code.
    static let statedSeverities: [String: String] = [
        "txt-multiple-sts-records": "error", "txt-syntax-error": "error", "txt-missing-id": "error",
        "txt-invalid-id": "error", "txt-not-ascii": "error", "txt-space-before-semicolon": "warning",
        "txt-unknown-field": "info", "txt-multi-string": "info", "txt-cname": "info",
        "policy-content-type": "error",
        "policy-empty": "error", "policy-bom": "error", "policy-bare-cr": "error", "policy-lf-line-endings": "info",
        "policy-mixed-line-endings": "warning", "policy-blank-line": "warning", "policy-leading-whitespace": "error",
        "policy-malformed-line": "error", "policy-max-age-short": "warning", "policy-missing-mx": "error",
        "policy-invalid-mx-pattern": "error", "policy-duplicate-key": "warning", "policy-unknown-key": "info",
        "policy-version-not-first": "info", "policy-wildcard-mx": "info",
        "mx-sni-dependent": "warning",
        "enforce-blocks-all-mx": "error", "testing-would-fail": "warning", "tlsrpt-missing": "warning",
        "tlsrpt-invalid": "error", "tlsrpt-multiple": "error", "dane-tlsa": "info",
        "policy-changed-id-unchanged": "error", "policy-id-changed-body-same": "info", "mode-changed": "info",
        "record-removed": "warning",
    ]
    /// Severities that follow from the policy-invalid status row ("the body has a finding of severity
    /// `error` (below): empty, BOM, bare CR, leading whitespace, a malformed line, a missing or invalid
    /// field, any invalid mx pattern"): every missing or invalid field is an error.
    static let impliedErrors: Set<String> = [
        "policy-missing-version", "policy-invalid-version", "policy-missing-mode", "policy-invalid-mode",
        "policy-missing-max-age", "policy-invalid-max-age", "policy-max-age-too-large",
    ]

    static let domainStatuses = ["invalid-input", "excluded", "dns-error", "no-record", "record-invalid",
                                 "policy-fetch-error", "policy-webpki-invalid", "policy-invalid", "valid"]
    static let mxStatuses: Set<String> = ["all-pass", "partial", "none-pass", "null-mx", "dns-error", "not-probed"]
    static let mxResults = ["pass", "pattern-mismatch", "starttls-not-supported", "certificate-host-mismatch",
                            "certificate-expired", "certificate-not-trusted", "tls-failure", "unreachable", "dns-error"]
    static let modes: Set<String> = ["enforce", "testing", "none"]
}

struct VocabularyTests {
    @Test func everyListedCodeExists() {
        let raw = Set(FindingCode.allCases.map(\.rawValue))
        #expect(Verdicts.allFindings.subtracting(raw).isEmpty, "missing from FindingCode: \(Verdicts.allFindings.subtracting(raw).sorted())")
        // Codes beyond the list are allowed ("Add codes when reality needs them"), but are shown.
        let extra = raw.subtracting(Verdicts.allFindings)
        #expect(extra == ["txt-duplicate-field", "mx-invalid-hostname", "mx-too-many-hosts", "scan-deadline",
                          "dane-mismatch", "dane-no-tls", "dane-unusable", "dane-partial", "dane-tlsa-unsigned",
                          "dane-lookup-failed", "mx-provider-migrated"],
                "codes not (yet) in verdicts.md: \(extra.sorted())")
    }

    @Test func statedSeverities() {
        for (code, severity) in Verdicts.statedSeverities {
            #expect(FindingCode(rawValue: code)?.severity.rawValue == severity, "\(code) should be \(severity)")
        }
        for code in Verdicts.impliedErrors {
            #expect(FindingCode(rawValue: code)?.severity == .error, "\(code) should be error")
        }
        #expect(Set(Severity.allCases.map(\.rawValue)) == ["error", "warning", "info"])
    }

    @Test func statusWords() {
        // "exactly one; evaluated in this order": the enum's order is the table's order.
        #expect(DomainStatus.allCases.map(\.rawValue) == Verdicts.domainStatuses)
        #expect(Set(MXStatus.allCases.map(\.rawValue)) == Verdicts.mxStatuses)
        // "the first in this table's order (after pass) is the result"
        #expect(MXResult.allCases.map(\.rawValue) == Verdicts.mxResults)
        #expect(Set(PolicyMode.allCases.map(\.rawValue)) == Verdicts.modes)
    }

    /// Every code a row of the tables expects.
    static var exercised: Set<String> {
        var codes = Set<FindingCode>()
        for c in RecordConformanceTests.cases { codes.formUnion(c.codes) }
        for c in PolicyConformanceTests.cases { codes.formUnion(c.codes) }
        for c in TLSRPTConformanceTests.cases { codes.formUnion(c.codes) }
        for c in ClassifierTests.cases { codes.formUnion(c.codes) }
        return Set(codes.map(\.rawValue))
    }

    @Test func tablesCoverTheTXTRecordCodes() {
        let missing = Verdicts.txtRecord.subtracting(Self.exercised)
        #expect(missing.isEmpty, "no row expects: \(missing.sorted())")
    }

    @Test func tablesCoverThePolicyBodyCodes() {
        let missing = Verdicts.policyBody.subtracting(Self.exercised)
        #expect(missing.isEmpty, "no row expects: \(missing.sorted())")
    }

    @Test func tablesCoverTheTLSRPTCodes() {
        let missing = Verdicts.tlsrpt.subtracting(Self.exercised)
        #expect(missing.isEmpty, "no row expects: \(missing.sorted())")
    }

    @Test func tablesCoverThePolicyFetchCodes() {
        let missing = Verdicts.policyFetch.subtracting(Self.exercised)
        #expect(missing.isEmpty, "no row expects: \(missing.sorted())")
    }

    /// The five parser/matcher tables hold at least 150 rows between them.
    @Test func enoughConformanceRows() {
        let n = RecordConformanceTests.cases.count + PolicyConformanceTests.cases.count
            + TLSRPTConformanceTests.cases.count + MXPatternTests.matchCases.count
            + MXPatternTests.validityCases.count + DNSIDTests.cases.count
        #expect(n >= 150, "\(n) rows")
    }

    @Test func everyRowCitesASource() {
        let sources = RecordConformanceTests.cases.map(\.source) + PolicyConformanceTests.cases.map(\.source)
            + TLSRPTConformanceTests.cases.map(\.source) + MXPatternTests.matchCases.map(\.source)
            + MXPatternTests.validityCases.map(\.source) + DNSIDTests.cases.map(\.source)
            + ClassifierTests.cases.map(\.source)
        #expect(sources.allSatisfy { !$0.isEmpty })
    }

    /// Every code has an explanation that names its RFC section (printed by `lint` and `check`).
    @Test(arguments: FindingCode.allCases)
    func everyCodeIsExplained(_ code: FindingCode) {
        #expect(code.explanation.section.contains("RFC"), "\(code.rawValue)")
        #expect(!code.explanation.fix.isEmpty, "\(code.rawValue)")
    }
}
