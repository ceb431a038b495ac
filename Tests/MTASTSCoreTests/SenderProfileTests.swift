// The conformance table of docs/PROFILES.md, row by row: each row names a case built here as
// hand-made evidence, and what each profile must answer (derived in the doc from each sender's
// code and documentation, not from these functions). The table is read from the doc itself, so
// the doc and the code cannot drift apart unnoticed.
import Foundation
import Testing
@testable import MTASTSCore

enum ProfileCases {
    static let t: Int64 = 1_760_000_000
    static let domain = "d.test"

    static func tls(_ names: [String], expired: Bool = false) -> TLSFacts {
        TLSFacts(version: "TLSv1.3", verifyResult: expired ? 10 : 0, leafDNSNames: names,
                 notBefore: t - 86_400 * 30, notAfter: expired ? t - 86_400 : t + 86_400 * 30)
    }

    static func host(_ name: String, cert: [String]? = nil, expired: Bool = false, starttls: Bool = true) -> MXEvidence.Host {
        let probe = starttls
            ? SMTPProbeEvidence(address: "127.0.0.1", outcome: .completed, ehlo: ["250-mx", "250 STARTTLS"],
                                tls: tls(cert ?? [name], expired: expired))
            : SMTPProbeEvidence(address: "127.0.0.1", outcome: .starttlsNotOffered, ehlo: ["250 mx"])
        return MXEvidence.Host(name: name, preference: 10, addressLookup: .noError, addresses: ["127.0.0.1"], probes: [probe])
    }

    static func mx(_ hosts: [MXEvidence.Host], probed: Bool = true) -> MXEvidence {
        var h = hosts
        for i in h.indices { h[i].preference = 10 * (i + 1) }
        return MXEvidence(lookup: .noError, hosts: h, probed: probed)
    }

    static func record(_ records: [String] = ["v=STSv1; id=20240501"]) -> DNSLookup {
        DNSLookup(outcome: .noError, txt: records.map { [Array($0.utf8)] })
    }

    static let noRecord = DNSLookup(outcome: .nxDomain)

    static func policy(_ lines: [String], contentType: String = "text/plain", status: Int = 200, facts: TransferFacts? = nil) -> PolicyFetchEvidence {
        PolicyFetchEvidence(outcome: .response, tls: tls(["mta-sts." + domain]), httpStatus: status, contentType: contentType,
                            location: status == 301 ? "https://elsewhere.test/" : nil,
                            body: Array((lines.joined(separator: "\r\n") + "\r\n").utf8), facts: facts)
    }

    static func lines(mode: String = "enforce", mx: [String] = ["mx.d.test"]) -> [String] {
        ["version: STSv1", "mode: " + mode] + mx.map { "mx: " + $0 } + ["max_age: 604800"]
    }

    static func e(_ txt: DNSLookup?, _ p: PolicyFetchEvidence?, _ mx: MXEvidence?) -> Evidence {
        Evidence(domain: domain, scanTime: t, txt: txt, policyFetch: p, mx: mx)
    }

    /// Case name -> evidence and DANE's view.
    static let all: [String: (Evidence, DANEView)] = {
        let good = host("mx.d.test"), expired = host("mx.d.test", expired: true)
        let enforce = policy(lines())
        var c: [String: (Evidence, DANEView)] = [:]
        c["enforce-pass"] = (e(record(), enforce, mx([good])), .none)
        c["testing-pass"] = (e(record(), policy(lines(mode: "testing")), mx([good])), .none)
        c["testing-expired"] = (e(record(), policy(lines(mode: "testing")), mx([expired])), .none)
        c["enforce-expired"] = (e(record(), enforce, mx([expired])), .none)
        c["enforce-pattern-mismatch"] = (e(record(), policy(lines(mx: ["other.d.test"])), mx([good])), .none)
        c["cert-matches-pattern-not-host"] = (e(record(), enforce, mx([host("relay.other.test", cert: ["mx.d.test"])])), .none)
        c["wildcard-match"] = (e(record(), policy(lines(mx: ["*.d.test"])), mx([good])), .none)
        c["wildcard-depth"] = (e(record(), policy(lines(mx: ["*.d.test"])), mx([host("a.b.d.test")])), .none)
        c["content-type-html"] = (e(record(), policy(lines(), contentType: "text/html"), mx([expired])), .none)
        c["redirect"] = (e(record(), policy([], status: 301), mx([expired])), .none)
        c["leading-whitespace"] = (e(record(), policy(["version: STSv1", " mode: enforce", "mx: mx.d.test", "max_age: 604800"]), mx([expired])), .none)
        c["duplicate-mode"] = (e(record(), policy(["version: STSv1", "mode: testing", "mode: enforce", "mx: mx.d.test", "max_age: 604800"]), mx([expired])), .none)
        c["missing-version"] = (e(record(), policy(Array(lines().dropFirst())), mx([expired])), .none)
        c["max-age-plus"] = (e(record(), policy(["version: STSv1", "mode: enforce", "mx: mx.d.test", "max_age: +604800"]), mx([expired])), .none)
        c["record-bad-id"] = (e(record(["v=STSv1; id=a-b"]), enforce, mx([expired])), .none)
        c["record-two"] = (e(record(["v=STSv1; id=1", "v=STSv1; id=2"]), enforce, mx([expired])), .none)
        // The whole response after 3 s, under a 10 s scan timeout (step times in microseconds).
        let slow = TransferFacts(curlCode: 0, primaryIP: "127.0.0.1", timeoutMillis: 10_000, connectMicros: 1_000, tlsMicros: 5_000,
                                 firstByteMicros: 2_900_000, totalMicros: 3_000_000, tlsVersion: "TLSv1.3", tlsSeenMicros: 5_000)
        c["slow-policy"] = (e(record(), policy(lines(), facts: slow), mx([expired])), .none)
        c["dane-mismatch-sts-pass"] = (e(record(), enforce, mx([good])), DANEView(hosts: ["mx.d.test": .mismatched]))
        c["dane-matched-no-sts"] = (e(noRecord, nil, mx([good])), DANEView(hosts: ["mx.d.test": .matched]))
        c["dane-unusable-no-sts"] = (e(noRecord, nil, mx([good])), DANEView(hosts: ["mx.d.test": .unusable]))
        c["dane-lookup-failed"] = (e(noRecord, nil, mx([host("mx1.d.test"), host("mx2.d.test")])), DANEView(hosts: ["mx1.d.test": .lookupFailed]))
        c["dane-partial"] = (e(record(), policy(lines(mx: ["*.d.test"])), mx([host("mx1.d.test"), host("mx2.d.test")])),
                             DANEView(hosts: ["mx1.d.test": .mismatched, "mx2.d.test": .notApplicable]))
        c["no-starttls-no-record"] = (e(noRecord, nil, mx([host("mx.d.test", starttls: false)])), .none)
        c["enforce-no-starttls"] = (e(record(), enforce, mx([host("mx.d.test", starttls: false)])), .none)
        c["backup-passes"] = (e(record(), policy(lines(mx: ["*.d.test"])), mx([host("mx1.d.test", expired: true), host("mx2.d.test")])), .none)
        c["null-mx"] = (e(record(), enforce, MXEvidence(lookup: .noError, hosts: [.init(name: ".", preference: 0)], probed: true)), .none)
        c["not-probed"] = (e(noRecord, nil, mx([MXEvidence.Host(name: "mx.d.test", preference: 10)], probed: false)), .none)
        c["dane-insecure-mx"] = (e(record(), enforce, mx([good])), DANEView(hosts: ["mx.d.test": .matched], mxSecure: false))
        c["dane-unknown"] = (e(noRecord, nil, mx([good])), DANEView(hosts: ["mx.d.test": .unknown], mxSecure: true))
        c["record-bad-id-not-fetched"] = (e(record(["v=STSv1; id=a-b"]), nil, mx([expired])), .none)
        var big = policy(lines() + ["x_pad: " + String(repeating: "a", count: 70_000)])
        big.body = Array(big.body!.prefix(PolicyFetchEvidence.maxBodyBytes + 1))
        big.bodyTooLarge = true
        c["body-over-64k"] = (e(record(), big, mx([expired])), .none)
        c["policy-deadline"] = (e(record(), PolicyFetchEvidence(outcome: .deadline), mx([expired])), .none)
        return c
    }()
}

/// One row of the doc's table.
struct ConformanceRow: Sendable, CustomTestStringConvertible {
    let name: String
    /// Per profile column: the outcome word and, optionally, a reason that must be given.
    let cells: [(SenderProfile, String, String?)]
    var testDescription: String { name }

    static let docPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/PROFILES.md").path

    static func load() -> [ConformanceRow] {
        guard let text = try? String(contentsOfFile: docPath, encoding: .utf8),
              let begin = text.range(of: "<!-- conformance:begin -->"), let end = text.range(of: "<!-- conformance:end -->") else { return [] }
        let table = text[begin.upperBound..<end.lowerBound].split(separator: "\n").filter { $0.hasPrefix("|") }
        guard table.count > 2 else { return [] }
        func cols(_ line: Substring) -> [String] {
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let header = cols(table[0])
        let profiles = header.dropFirst(2).map { SenderProfile(rawValue: $0) }
        return table.dropFirst(2).map { line in
            let c = cols(line)
            let cells: [(SenderProfile, String, String?)] = zip(profiles, c.dropFirst(2)).compactMap { p, cell in
                guard let p else { return nil }
                let parts = cell.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                return (p, parts[0], parts.count > 1 ? parts[1] : nil)
            }
            return ConformanceRow(name: c[0], cells: cells)
        }
    }
}

struct SenderProfileTests {
    static let rows = ConformanceRow.load()

    @Test func tableCoversEveryProfileAndCase() {
        #expect(!Self.rows.isEmpty, "no conformance table in \(ConformanceRow.docPath)")
        for r in Self.rows {
            #expect(Set(r.cells.map(\.0)) == Set(SenderProfile.allCases), "\(r.name): a column per profile")
        }
        #expect(Set(Self.rows.map(\.name)) == Set(ProfileCases.all.keys), "the doc's cases and the test's are the same")
        // Every outcome occurs, for every profile but where it cannot.
        let seen = Set(Self.rows.flatMap { $0.cells.map(\.1) })
        #expect(seen == Set(DeliveryOutcome.allCases.map(\.rawValue)))
    }

    @Test(arguments: rows) func row(_ r: ConformanceRow) throws {
        let (evidence, dane) = try #require(ProfileCases.all[r.name], "no evidence for case \(r.name)")
        for (profile, outcome, reason) in r.cells {
            let got = profile.outcome(evidence, dane: dane)
            #expect(got.outcome.rawValue == outcome, "\(r.name) / \(profile.rawValue): \(got.outcome.rawValue) \(got.reasons)")
            if let reason {
                #expect(got.reasons.contains(reason), "\(r.name) / \(profile.rawValue): \(reason) not in \(got.reasons)")
            }
            // A delivered outcome names the host; the others do not.
            #expect((got.host != nil) == (got.outcome == .deliversAuthenticated || got.outcome == .deliversUnauthenticated))
        }
    }

    /// Every reason a profile gives is a finding code or a profile reason (the documented words).
    @Test func reasonsAreDocumentedWords() {
        let words = Set(FindingCode.allCases.map(\.rawValue)).union(ProfileReason.allCases.map(\.rawValue))
        for (name, (evidence, dane)) in ProfileCases.all {
            for o in SenderProfile.outcomes(evidence, dane: dane) {
                #expect(Set(o.reasons).isSubset(of: words), "\(name) / \(o.profile.rawValue): \(o.reasons)")
            }
        }
        let doc = (try? String(contentsOfFile: ConformanceRow.docPath, encoding: .utf8)) ?? ""
        for r in ProfileReason.allCases { #expect(doc.contains("`\(r.rawValue)`"), "\(r.rawValue) not in docs/PROFILES.md") }
    }
}
