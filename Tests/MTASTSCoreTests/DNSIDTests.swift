// DNS-ID matching of certificates, RFC 6125 §6.4 as RFC 8461 §3.3 (policy host, F2) and §4.2
// (MX hosts, M3) require it: subjectAltName dNSName only, never the CN; case-insensitive; a
// wildcard only as the whole left-most label, matching exactly one label.

import Testing
@testable import MTASTSCore

struct DNSIDCase: Sendable, CustomTestStringConvertible {
    /// The leaf's subjectAltName dNSName entries; empty for a CN-only certificate.
    let presented: [String]
    let reference: String
    let matches: Bool
    let source: String
    var testDescription: String { "\(source): \(presented) vs \(reference)" }
}

struct DNSIDTests {
    static let cases: [DNSIDCase] = [
        .init(presented: ["mta-sts.example.com"], reference: "mta-sts.example.com", matches: true, source: "RFC 8461 §3.3 F2"),
        .init(presented: ["mx.example.com"], reference: "mx.example.com", matches: true, source: "RFC 8461 §4.2 M3"),
        // CN-only: the subject CN is not a DNS-ID (§3.3, §4.2; RFC 6125 §6.4.4 CN only without SAN
        // is a fallback RFC 8461 does not allow). An empty SAN list never matches.
        .init(presented: [], reference: "mta-sts.example.com", matches: false, source: "RFC 8461 §3.3 F2 CN-only"),
        .init(presented: [], reference: "mx.example.com", matches: false, source: "RFC 8461 §4.2 M3 CN-only"),
        // Wildcards: whole left-most label, one label
        .init(presented: ["*.example.com"], reference: "mta-sts.example.com", matches: true, source: "RFC 6125 §6.4.3"),
        .init(presented: ["*.example.com"], reference: "mx.example.com", matches: true, source: "RFC 6125 §6.4.3"),
        .init(presented: ["*.example.com"], reference: "example.com", matches: false, source: "RFC 6125 §6.4.3 one label"),
        .init(presented: ["*.example.com"], reference: "a.b.example.com", matches: false, source: "RFC 6125 §6.4.3 one label"),
        .init(presented: ["*.example.com"], reference: "mx.example.org", matches: false, source: "RFC 6125 §6.4.3"),
        .init(presented: ["*.mta-sts.example.com"], reference: "mta-sts.example.com", matches: false, source: "RFC 6125 §6.4.3"),
        .init(presented: ["*.example.com"], reference: "xn--bcher-kva.example.com", matches: true, source: "RFC 6125 §6.4.3 A-label"),
        // Partial wildcards never match (RFC 8461 §4.2 / F2: "only as the complete left-most label")
        .init(presented: ["mx*.example.com"], reference: "mx1.example.com", matches: false, source: "RFC 8461 F2 partial wildcard"),
        .init(presented: ["mx*.example.com"], reference: "mx.example.com", matches: false, source: "RFC 8461 F2 partial wildcard"),
        .init(presented: ["*mx.example.com"], reference: "amx.example.com", matches: false, source: "RFC 8461 F2 partial wildcard"),
        .init(presented: ["m*x.example.com"], reference: "mix.example.com", matches: false, source: "RFC 8461 F2 partial wildcard"),
        .init(presented: ["xn--*.example.com"], reference: "xn--bcher-kva.example.com", matches: false, source: "RFC 6125 §6.4.3 not in an A-label"),
        .init(presented: ["a.*.example.com"], reference: "a.b.example.com", matches: false, source: "RFC 8461 F2 left-most only"),
        .init(presented: ["*.*.example.com"], reference: "a.b.example.com", matches: false, source: "RFC 8461 F2 one wildcard"),
        .init(presented: ["**.example.com"], reference: "mx.example.com", matches: false, source: "RFC 8461 F2 whole label"),
        .init(presented: ["*"], reference: "example", matches: false, source: "RFC 8461 F2 whole name"),
        // Case-insensitive (RFC 6125 §6.4.1, RFC 4343)
        .init(presented: ["MTA-STS.Example.COM"], reference: "mta-sts.example.com", matches: true, source: "RFC 6125 §6.4.1 case"),
        .init(presented: ["mta-sts.example.com"], reference: "MTA-STS.EXAMPLE.COM", matches: true, source: "RFC 6125 §6.4.1 case"),
        .init(presented: ["*.EXAMPLE.COM"], reference: "Mx.Example.Com", matches: true, source: "RFC 6125 §6.4.1 case"),
        .init(presented: ["XN--BCHER-KVA.example"], reference: "xn--bcher-kva.example", matches: true, source: "RFC 6125 §6.4.2 A-labels"),
        // An MX name from a DNS answer carries the root's dot (RFC 8461 App. B M2)
        .init(presented: ["mx.example.com"], reference: "mx.example.com.", matches: true, source: "RFC 8461 M2 trailing dot"),
        .init(presented: ["*.example.com"], reference: "mx.example.com.", matches: true, source: "RFC 8461 M2 trailing dot"),
        // No suffix or prefix matching
        .init(presented: ["example.com"], reference: "mta-sts.example.com", matches: false, source: "RFC 6125 §6.4.1 exact"),
        .init(presented: ["mta-sts.example.com"], reference: "example.com", matches: false, source: "RFC 6125 §6.4.1 exact"),
        .init(presented: ["mta-sts.example.com"], reference: "mta-sts.example.com.evil.example", matches: false, source: "RFC 6125 §6.4.1 exact"),
        .init(presented: ["mta-sts.example.co"], reference: "mta-sts.example.com", matches: false, source: "RFC 6125 §6.4.1 exact"),
        .init(presented: [""], reference: "mta-sts.example.com", matches: false, source: "RFC 6125 §6.4.1 empty"),
        // Several SANs: any one suffices
        .init(presented: ["www.example.com", "mta-sts.example.com"], reference: "mta-sts.example.com", matches: true, source: "RFC 6125 §6.4 any DNS-ID"),
        .init(presented: ["www.example.com", "example.com"], reference: "mta-sts.example.com", matches: false, source: "RFC 6125 §6.4 none matches"),
        // Delegation (§8.2, F10): the cert must name the user's domain, not the provider's host
        .init(presented: ["mta-sts.provider.example"], reference: "mta-sts.example.com", matches: false, source: "RFC 8461 §8.2 F10"),
    ]

    @Test(arguments: cases)
    func dnsID(_ c: DNSIDCase) {
        #expect(DNSID.anyMatches(c.presented, reference: c.reference) == c.matches, "\(c.source)")
        if c.presented.count == 1 {
            #expect(DNSID.matches(presented: c.presented[0], reference: c.reference) == c.matches, "\(c.source)")
        }
    }
}
