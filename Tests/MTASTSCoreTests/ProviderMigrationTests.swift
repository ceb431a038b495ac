// mx-provider-migrated (issue 17, item 4): the rule of docs/VERDICTS.md, row by row. The expected
// answers come from the rule's text and the examples, not from the code.
import Testing
@testable import MTASTSCore

struct ProviderMigrationTests {
    static func mx(_ names: [String], implicit: Bool = false) -> MXEvidence {
        MXEvidence(lookup: .noError, hosts: names.enumerated().map { .init(name: $1, preference: 10 * ($0 + 1)) }, implicit: implicit)
    }

    struct Row: Sendable, CustomTestStringConvertible {
        let patterns: [String]
        let hosts: [String]
        let migrated: Bool
        let namespace: String?
        var domain = "customer.test"
        var testDescription: String { "\(patterns) vs \(hosts)" }
    }

    static let rows: [Row] = [
        // The example: the old provider's wildcard against the new provider's hosts.
        Row(patterns: ["*.mail.protection.outlook.com"], hosts: ["contoso-com.l-v1.mx.microsoft"], migrated: true, namespace: "l-v1.mx.microsoft"),
        // The pattern one level too high: `*.` matches exactly one label (§4.1).
        Row(patterns: ["*.mx.microsoft"], hosts: ["a.l-v1.mx.microsoft", "b.l-v1.mx.microsoft"], migrated: true, namespace: "l-v1.mx.microsoft"),
        // The right wildcard: it matches, no finding.
        Row(patterns: ["*.l-v1.mx.microsoft"], hosts: ["a.l-v1.mx.microsoft"], migrated: false, namespace: "l-v1.mx.microsoft"),
        // Exact names of the old provider against the new one's.
        Row(patterns: ["mx1.provider1.example", "mx2.provider1.example"], hosts: ["mx1.provider2.example", "mx2.provider2.example"], migrated: true, namespace: "provider2.example"),
        // A typo inside the domain's own namespace: a mismatch, not a migration.
        Row(patterns: ["mx1.example.com"], hosts: ["mx2.example.com"], migrated: false, namespace: "example.com"),
        // One of two hosts matches: no finding.
        Row(patterns: ["mx1.provider1.example"], hosts: ["mx1.provider1.example", "mx1.provider2.example"], migrated: false, namespace: nil),
        // Hosts in two namespaces sharing only a TLD: no provider namespace of two labels.
        Row(patterns: ["mx.old.example"], hosts: ["mx.a.test", "mx.b.example"], migrated: false, namespace: nil),
        // Hosts of two labels have a one-label parent: no namespace.
        Row(patterns: ["mx.old.example"], hosts: ["other.example"], migrated: false, namespace: nil),
        // Hosts in the domain's own namespace are its own: a pattern too shallow is only a mismatch.
        Row(patterns: ["*.example.com"], hosts: ["a.b.example.com"], migrated: false, namespace: "b.example.com", domain: "example.com"),
        // The same hosts for another domain: a provider's namespace.
        Row(patterns: ["*.example.com"], hosts: ["a.b.example.com"], migrated: true, namespace: "b.example.com", domain: "customer.test"),
        // Case and a final dot do not matter.
        Row(patterns: ["*.MAIL.Old.Example"], hosts: ["A.New.Example."], migrated: true, namespace: "new.example"),
    ]

    @Test(arguments: rows) func rule(_ r: Row) {
        let f = ProviderMigration.finding(patterns: r.patterns, mx: Self.mx(r.hosts), domain: r.domain)
        #expect((f != nil) == r.migrated)
        if let f { #expect(f.code == .mxProviderMigrated && f.severity == .warning) }
        #expect(ProviderMigration.namespace(of: r.hosts.map { MXPattern.normalise($0) }) == r.namespace)
    }

    @Test func notWithoutAUsablePolicyOrMXSet() {
        let hosts = ["a.l-v1.mx.microsoft"]
        #expect(ProviderMigration.finding(patterns: nil, mx: Self.mx(hosts), domain: "d.test") == nil)
        #expect(ProviderMigration.finding(patterns: ["*.old.example"], mx: nil, domain: "d.test") == nil)
        #expect(ProviderMigration.finding(patterns: ["*.old.example"], mx: Self.mx(["."]), domain: "d.test") == nil)   // null MX
        #expect(ProviderMigration.finding(patterns: ["*.old.example"], mx: Self.mx(["a.b.c.test"], implicit: true), domain: "d.test") == nil)
        var failed = Self.mx(hosts)
        failed.lookup = .servFail
        #expect(ProviderMigration.finding(patterns: ["*.old.example"], mx: failed, domain: "d.test") == nil)
    }

    /// Through the classifier: only a valid policy of mode testing or enforce counts.
    @Test(arguments: [("enforce", true), ("testing", true), ("none", false)])
    func classifier(mode: String, expected: Bool) {
        let body = Array("version: STSv1\r\nmode: \(mode)\r\nmx: *.mail.protection.old.example\r\nmax_age: 604800\r\n".utf8)
        let e = Evidence(domain: "d.test", scanTime: 1_700_000_000,
                         txt: DNSLookup(outcome: .noError, txt: [[Array("v=STSv1; id=1".utf8)]]),
                         policyFetch: PolicyFetchEvidence(outcome: .response, tls: TLSFacts(version: "TLSv1.3", verifyResult: 0, leafDNSNames: ["mta-sts.d.test"], notBefore: nil, notAfter: nil),
                                                          httpStatus: 200, contentType: "text/plain", body: body),
                         mx: Self.mx(["d-test.l-v1.mx.new.example"]))
        let v = Classifier.classify(e)
        #expect(v.status == .valid)
        #expect(v.findings.contains(.mxProviderMigrated) == expected)
    }
}
