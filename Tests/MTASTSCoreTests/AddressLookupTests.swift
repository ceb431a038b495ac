// A host's A and AAAA lookups judged together (AddressLookup). Ground truth, stated independently
// of the code: the host is known to have no address only when neither lookup failed (a failed
// family may hold the address), and it does not exist only when both said NXDOMAIN. Then the
// classifiers: SERVFAIL beside NODATA, kept raw in stored evidence, is a DNS error and never
// "no address" (issue 19 follow-up: under load unbound SERVFAILed A while AAAA said NODATA).

import Testing
@testable import MTASTSCore

@Suite struct AddressLookupTests {
    @Test func everyPairOfOutcomes() {
        for a in DNSOutcome.allCases {
            for aaaa in DNSOutcome.allCases {
                let none = AddressLookup.outcome(a: a, aaaa: aaaa, foundAddresses: false)
                let eitherFailed = ![DNSOutcome.noError, .nxDomain].contains(a) || ![DNSOutcome.noError, .nxDomain].contains(aaaa)
                #expect(none.isFailure == eitherFailed, "A \(a) AAAA \(aaaa)")
                #expect((none == .nxDomain) == (a == .nxDomain && aaaa == .nxDomain), "A \(a) AAAA \(aaaa)")
                if eitherFailed { #expect(none == a || none == aaaa, "A \(a) AAAA \(aaaa): one of the two failures") }
                #expect(AddressLookup.outcome(a: a, aaaa: aaaa, foundAddresses: true) == .noError)
            }
        }
    }


    /// A valid record whose policy host lookup ended as `outcome`, with the raw pair kept.
    static func evidence(_ outcome: PolicyFetchEvidence.Outcome, a: DNSOutcome?, aaaa: DNSOutcome?) -> Evidence {
        var fetch = PolicyFetchEvidence(outcome: outcome)
        (fetch.aLookup, fetch.aaaaLookup) = (a, aaaa)
        return Evidence(domain: "example.com", scanTime: 1_750_000_000,
                        txt: DNSLookup(outcome: .noError, txt: [[Array("v=STSv1; id=1".utf8)]]), policyFetch: fetch,
                        mx: MXEvidence(lookup: .noError, hosts: [MXEvidence.Host(name: "mx.example.com", preference: 10)]))
    }

    static func policyHostFinding(_ e: Evidence) -> Finding? {
        Classifier.classify(e).findings.first { $0.code == .policyHostNoAddress || $0.code == .policyHostNXDOMAIN }
    }

    /// Rows stored by the old judgement (SERVFAIL + NODATA read as no address) with the raw pair
    /// are mended on reclassify; a true NODATA pair stays "no address".
    @Test func policyHostServfailBesideNodataIsALookupFailure() throws {
        let mended = try #require(Self.policyHostFinding(Self.evidence(.hostNoAddress, a: .servFail, aaaa: .noError)))
        #expect(mended.detail == "address lookup failed: A SERVFAIL, AAAA NOERROR")
        let timeout = try #require(Self.policyHostFinding(Self.evidence(.hostNoAddress, a: .noError, aaaa: .timeout)))
        #expect(timeout.detail?.hasPrefix("address lookup failed") == true)
        let nodata = try #require(Self.policyHostFinding(Self.evidence(.hostNoAddress, a: .noError, aaaa: .noError)))
        #expect(nodata.code == .policyHostNoAddress && nodata.detail == nil)
        let gone = try #require(Self.policyHostFinding(Self.evidence(.hostNoAddress, a: .nxDomain, aaaa: .nxDomain)))
        #expect(gone.code == .policyHostNXDOMAIN)
        // Without the raw pair (older rows) the stored outcome stands.
        let old = try #require(Self.policyHostFinding(Self.evidence(.hostNoAddress, a: nil, aaaa: nil)))
        #expect(old.code == .policyHostNoAddress && old.detail == nil)
    }

    @Test func mxHostServfailBesideNodataIsADNSError() {
        func classify(_ a: DNSOutcome, _ aaaa: DNSOutcome, stored: DNSOutcome) -> (MXStatus, [FindingCode]) {
            var h = MXEvidence.Host(name: "mx.example.com", preference: 10, addressLookup: stored)
            (h.aLookup, h.aaaaLookup) = (a, aaaa)
            let (status, _, findings) = MXClassifier.classify(MXEvidence(lookup: .noError, hosts: [h], probed: true),
                                                              domain: "example.com", policy: nil, scanTime: 1_750_000_000)
            return (status, findings.map(\.code))
        }
        // Stored NOERROR by the old judgement: judged again from the pair.
        let (_, servfail) = classify(.servFail, .noError, stored: .noError)
        #expect(servfail.contains(.mxDNSError) && !servfail.contains(.mxUnreachable))
        let (_, nodata) = classify(.noError, .noError, stored: .noError)
        #expect(nodata.contains(.mxUnreachable) && !nodata.contains(.mxDNSError))
    }
}
