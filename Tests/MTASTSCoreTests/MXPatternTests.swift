// MX patterns of a policy: which values are well formed (RFC 8461 §3.2, `["*." ] Domain` of
// RFC 5321 §4.1.2) and which MX host names they match (§4.1, Appendix B `policyMatches`), in the
// style of swift-certificates' DNSNamesTests: a table of (pattern, name, expected), each row
// citing its source.

import Testing
@testable import MTASTSCore

struct MXMatchCase: Sendable, CustomTestStringConvertible {
    let pattern: String
    let host: String
    let matches: Bool
    let source: String
    var testDescription: String { "\(source): \(pattern) vs \(host)" }
}

struct MXValidityCase: Sendable, CustomTestStringConvertible {
    let pattern: String
    let valid: Bool
    let source: String
    var testDescription: String { "\(source): '\(pattern)'" }
}

private let label63 = String(repeating: "a", count: 63)
private let label64 = String(repeating: "a", count: 64)
/// 253 octets: four labels of 63 and a dot between each (4*63 + 3 = 255) is too long, so
/// 3*63 + "a"*61 + 3 dots = 253.
private let name253 = [label63, label63, label63, String(repeating: "b", count: 61)].joined(separator: ".")

struct MXPatternTests {
    static let matchCases: [MXMatchCase] = [
        // §4.1, the RFC's own wildcard examples
        .init(pattern: "*.example.com", host: "mail.example.com", matches: true, source: "§4.1 M1"),
        .init(pattern: "*.example.com", host: "example.com", matches: false, source: "§4.1 M1"),
        .init(pattern: "*.example.com", host: "foo.bar.example.com", matches: false, source: "§4.1 M1"),
        // The Appendix A policy's patterns
        .init(pattern: "mail.example.com", host: "mail.example.com", matches: true, source: "App. A / App. B exact"),
        .init(pattern: "*.example.net", host: "mx1.example.net", matches: true, source: "App. A / App. B wildcard"),
        .init(pattern: "backupmx.example.com", host: "backupmx.example.com", matches: true, source: "App. A"),
        .init(pattern: "*.example.net", host: "mx1.example.com", matches: false, source: "App. A other zone"),
        .init(pattern: "mail.example.com", host: "backupmx.example.com", matches: false, source: "App. B exact"),
        // Exact patterns match only themselves
        .init(pattern: "mail.example.com", host: "mail2.example.com", matches: false, source: "App. B exact"),
        .init(pattern: "mail.example.com", host: "xmail.example.com", matches: false, source: "App. B exact"),
        .init(pattern: "mail.example.com", host: "foo.mail.example.com", matches: false, source: "§4.1 no suffix match"),
        .init(pattern: "mail.example.com", host: "mail.example.co", matches: false, source: "App. B exact"),
        .init(pattern: "mail.example.com", host: "mail.example.com.evil.example", matches: false, source: "App. B exact"),
        .init(pattern: "mail.example.com", host: "", matches: false, source: "App. B exact"),
        // A wildcard is one whole label
        .init(pattern: "*.example.com", host: "a-b.example.com", matches: true, source: "§4.1 M1"),
        .init(pattern: "*.example.com", host: "xn--bcher-kva.example.com", matches: true, source: "§4.1 M1, P6 A-label"),
        .init(pattern: "*.example.com", host: "mailexample.com", matches: false, source: "§4.1 M1"),
        .init(pattern: "*.example.com", host: ".example.com", matches: false, source: "§4.1 M1 empty label"),
        .init(pattern: "*.example.com", host: "mail.notexample.com", matches: false, source: "§4.1 M1"),
        .init(pattern: "*.example.com", host: "example.com.example.org", matches: false, source: "§4.1 M1"),
        .init(pattern: "*.mail.example.com", host: "mail.example.com", matches: false, source: "§4.1 M1"),
        .init(pattern: "*.mail.example.com", host: "mx.mail.example.com", matches: true, source: "§4.1 M1"),
        // Case-insensitivity (DNS names, RFC 4343) and the trailing dot of DNS answers (M2)
        .init(pattern: "MAIL.Example.COM", host: "mail.example.com", matches: true, source: "§4.1 M2 case"),
        .init(pattern: "mail.example.com", host: "MAIL.EXAMPLE.COM", matches: true, source: "§4.1 M2 case"),
        .init(pattern: "*.EXAMPLE.com", host: "Mx.example.COM", matches: true, source: "§4.1 M2 case"),
        .init(pattern: "mail.example.com", host: "mail.example.com.", matches: true, source: "§4.1 M2 trailing dot"),
        .init(pattern: "*.example.com", host: "mx.example.com.", matches: true, source: "§4.1 M2 trailing dot"),
        .init(pattern: "*.example.com", host: "example.com.", matches: false, source: "§4.1 M1+M2"),
        .init(pattern: "*.example.com", host: "foo.bar.example.com.", matches: false, source: "§4.1 M1+M2"),
        .init(pattern: "MAIL.EXAMPLE.COM", host: "Mail.Example.Com.", matches: true, source: "§4.1 M2 case and dot"),
    ]

    static let validityCases: [MXValidityCase] = [
        .init(pattern: "mail.example.com", valid: true, source: "§3.2 App. A"),
        .init(pattern: "*.example.net", valid: true, source: "§3.2 App. A"),
        .init(pattern: "backupmx.example.com", valid: true, source: "§3.2 App. A"),
        .init(pattern: "mx1.example.com", valid: true, source: "RFC 5321 Let-dig"),
        .init(pattern: "a-b.example.com", valid: true, source: "RFC 5321 Ldh-str"),
        .init(pattern: "a--b.example.com", valid: true, source: "RFC 5321 Ldh-str"),
        .init(pattern: "123.example.com", valid: true, source: "RFC 5321 Let-dig: a label may start with a digit"),
        .init(pattern: "xn--bcher-kva.example", valid: true, source: "§3.2 P6 A-label"),
        .init(pattern: "MAIL.EXAMPLE.COM", valid: true, source: "RFC 5321 ALPHA"),
        .init(pattern: "localhost", valid: true, source: "RFC 5321 Domain = sub-domain *(\".\" sub-domain)"),
        .init(pattern: "*.com", valid: true, source: "§3.2 [\"*.\"] Domain"),
        .init(pattern: "\(label63).example.com", valid: true, source: "RFC 1035 label ≤ 63"),
        .init(pattern: name253, valid: true, source: "RFC 1035 name ≤ 253 in text"),

        .init(pattern: "*.*.example.com", valid: false, source: "§3.2 one \"*.\" only"),
        .init(pattern: "mx*.example.com", valid: false, source: "§3.2 partial wildcard"),
        .init(pattern: "*mail.example.com", valid: false, source: "§3.2 partial wildcard"),
        .init(pattern: "a.*.example.com", valid: false, source: "§3.2 wildcard not left-most"),
        .init(pattern: "*", valid: false, source: "§3.2 bare *"),
        .init(pattern: "*.", valid: false, source: "§3.2 \"*.\" needs a Domain"),
        .init(pattern: "192.0.2.1", valid: false, source: "§3.2 IP literal"),
        .init(pattern: "[192.0.2.1]", valid: false, source: "§3.2 address literal"),
        .init(pattern: "[IPv6:2001:db8::1]", valid: false, source: "§3.2 address literal"),
        .init(pattern: "mail.example.com:25", valid: false, source: "§3.2 port"),
        .init(pattern: "a.example.com b.example.com", valid: false, source: "§3.2 P6 one host per line"),
        .init(pattern: "a.example.com,b.example.com", valid: false, source: "§3.2 P6 one host per line"),
        .init(pattern: "mail.example.com.", valid: false, source: "§3.2 RFC 5321 Domain: no trailing dot"),
        .init(pattern: "*.example.com.", valid: false, source: "§3.2 RFC 5321 Domain: no trailing dot"),
        .init(pattern: "", valid: false, source: "§3.2 empty"),
        .init(pattern: ".example.com", valid: false, source: "RFC 5321 empty label"),
        .init(pattern: "mail..example.com", valid: false, source: "RFC 5321 empty label"),
        .init(pattern: "-mail.example.com", valid: false, source: "RFC 5321 Let-dig first"),
        .init(pattern: "mail-.example.com", valid: false, source: "RFC 5321 Let-dig last"),
        .init(pattern: "mail_1.example.com", valid: false, source: "RFC 5321 Ldh-str: no '_'"),
        .init(pattern: "b\u{FC}cher.example", valid: false, source: "§3.2 P6 U-label"),
        .init(pattern: "\(label64).example.com", valid: false, source: "RFC 1035 label ≤ 63"),
        .init(pattern: String(repeating: "a.", count: 150) + "com", valid: false, source: "RFC 1035 name too long"),
        .init(pattern: " mail.example.com", valid: false, source: "§3.2 no WSP inside the value"),
    ]

    @Test(arguments: matchCases)
    func matching(_ c: MXMatchCase) {
        #expect(MXPattern.matches(pattern: c.pattern, host: c.host) == c.matches, "\(c.source)")
    }

    @Test(arguments: validityCases)
    func validity(_ c: MXValidityCase) {
        #expect(MXPattern.isValid(c.pattern) == c.valid, "\(c.source)")
        #expect(MXPattern.isValid(Array(c.pattern.utf8)) == c.valid, "\(c.source) (bytes)")
    }

    @Test func matchesAnyOfTheRFCExample() {
        let patterns = ["mail.example.com", "*.example.net", "backupmx.example.com"]
        #expect(MXPattern.matchesAny(patterns, host: "mx7.example.net."))
        #expect(MXPattern.matchesAny(patterns, host: "BACKUPMX.example.com"))
        #expect(!MXPattern.matchesAny(patterns, host: "example.net"))
        #expect(!MXPattern.matchesAny([], host: "mail.example.com"))
    }

    @Test func name253IsReally253() { #expect(name253.utf8.count == 253) }
}
