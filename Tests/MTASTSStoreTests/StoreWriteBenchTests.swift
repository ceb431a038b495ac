// CPU per domain of `ScanStore.write` on a realistic mix: 98% no-record domains (the bulk of any
// survey: TXT NXDOMAIN, two MX hosts not probed, TLS-RPT NXDOMAIN) and 2% with a valid record (a
// policy body, a two-certificate chain, two probed MX hosts). Prints user+system CPU µs per domain
// of the write loop only; asserts no time (test machines are noisy), only that every row arrived.
// For a number worth quoting: swift test -c release --filter StoreWriteBenchTests
import Foundation
import MTASTSCore
import Testing
@testable import MTASTSStore

@Suite struct StoreWriteBenchTests {
    /// MTASTS_BENCH_DOMAINS=500000 shows what a database larger than SQLite's page cache costs.
    static let domains = ProcessInfo.processInfo.environment["MTASTS_BENCH_DOMAINS"].flatMap { Int($0) } ?? 50_000
    /// MTASTS_BENCH_BATCH: domains per transaction (the scan's default is 1000).
    static let batch = ProcessInfo.processInfo.environment["MTASTS_BENCH_BATCH"].flatMap { Int($0) } ?? 1000
    static let validEvery = 50
    /// MTASTS_BENCH_NO_FACTS=1 leaves the transfers' raw facts out: what format 2 costs the writer.
    static let withFacts = ProcessInfo.processInfo.environment["MTASTS_BENCH_NO_FACTS"] == nil

    /// Stand-ins for DER: the store hashes and stores them, and X509Reader finds no facts in them.
    static func fakeDER(_ seed: Int, length: Int = 1200) -> [UInt8] {
        var x = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        return [0x30, 0x82] + (0..<length).map { _ in
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            return UInt8(truncatingIfNeeded: x)
        }
    }

    static let intermediate = fakeDER(-1)
    static let providerLeaf = fakeDER(-2)

    /// A name in no particular order, as in a real list: `domains_by_name` then takes its
    /// inserts all over the index, not at its end (sequential names hid that cost).
    static func name(_ i: Int) -> String {
        "d" + String(UInt32(truncatingIfNeeded: UInt64(i) &* 0x9E37_79B9_7F4A_7C15 >> 32), radix: 36) + ".example"
    }

    static func noRecord(_ i: Int) -> Evidence {
        Evidence(domain: name(i), scanTime: Fixture.scanTime, txt: DNSLookup(outcome: .nxDomain),
                 tlsrpt: DNSLookup(outcome: .nxDomain),
                 mx: MXEvidence(lookup: .noError, hosts: [MXEvidence.Host(name: "mx1.provider.example", preference: 10),
                                                         MXEvidence.Host(name: "mx2.provider.example", preference: 20)]))
    }

    /// Raw facts as a scan stores them (format 2): what a completed STARTTLS session and a
    /// policy fetch on the test world recorded.
    static func smtpFacts(_ n: Int) -> TransferFacts {
        TransferFacts(curlCode: 0, primaryIP: "192.0.2.\(n)", timeoutMillis: 10_000, connectMicros: 48_444, tlsMicros: 651_547,
                      totalMicros: 778_835, tlsVersion: "TLSv1.3", tlsCipher: "TLS_AES_256_GCM_SHA384", tlsSeenMicros: 726_962,
                      replies: [SMTPReply(code: 220, line: "220 mx\(n).provider.example ESMTP", micros: 525_134),
                                SMTPReply(code: 250, line: "250 STARTTLS", micros: 576_272),
                                SMTPReply(code: 220, line: "220 2.0.0 Ready to start TLS", micros: 592_756),
                                SMTPReply(code: 250, line: "250 PIPELINING", micros: 726_961),
                                SMTPReply(code: 250, line: "250 2.0.0 Ok", micros: 779_301),
                                SMTPReply(code: 221, line: "221 2.0.0 Bye", micros: 779_590)])
    }

    static let httpsFacts = TransferFacts(curlCode: 0, primaryIP: "192.0.2.80", timeoutMillis: 10_000, connectMicros: 2827,
                                          tlsMicros: 12_164, firstByteMicros: 18_440, totalMicros: 18_487, tlsVersion: "TLSv1.3",
                                          tlsCipher: "TLS_AES_256_GCM_SHA384", tlsSeenMicros: 12_468)

    static func valid(_ i: Int) -> Evidence {
        let domain = name(i)
        let tls = { (names: [String], chain: [[UInt8]]) in
            TLSFacts(version: "TLSv1.3", verifyResult: 0, leafDNSNames: names, notBefore: Fixture.scanTime - 86_400,
                     notAfter: Fixture.scanTime + 86_400 * 90, chainDER: chain)
        }
        let hosts = (1...2).map { n in
            MXEvidence.Host(name: "mx\(n).provider.example", preference: 10 * n, addressLookup: .noError,
                            addresses: ["192.0.2.\(n)"],
                            probes: [SMTPProbeEvidence(address: "192.0.2.\(n)", outcome: .completed,
                                                       banner: "220 mx\(n).provider.example ESMTP",
                                                       ehlo: ["250-mx\(n).provider.example", "250-PIPELINING", "250 STARTTLS"],
                                                       ehloTLS: ["250-mx\(n).provider.example", "250 PIPELINING"],
                                                       tls: tls(["*.provider.example"], [providerLeaf, intermediate]), millis: 80,
                                                       facts: withFacts ? smtpFacts(n) : nil)],
                            tlsa: DNSLookup(outcome: .nxDomain))
        }
        let body = "version: STSv1\r\nmode: enforce\r\nmx: *.provider.example\r\nmax_age: 604800\r\n"
        return Evidence(domain: domain, scanTime: Fixture.scanTime,
                        txt: DNSLookup(outcome: .noError, txt: [Fixture.txt("v=STSv1; id=2024050\(i % 10)")]),
                        policyFetch: PolicyFetchEvidence(outcome: .response,
                                                         tls: tls(["mta-sts.\(domain)"], [fakeDER(i), intermediate]),
                                                         httpStatus: 200, contentType: "text/plain", body: Array(body.utf8),
                                                         millis: 150, facts: withFacts ? httpsFacts : nil),
                        tlsrpt: DNSLookup(outcome: .noError, txt: [Fixture.txt("v=TLSRPTv1; rua=mailto:tlsrpt@\(domain)")]),
                        mx: MXEvidence(lookup: .noError, hosts: hosts, probed: true))
    }

    /// Linux's RUSAGE_THREAD, which Glibc's module does not import (it is behind _GNU_SOURCE).
    static let rusageThread: Int32 = 1

    /// This thread's CPU: the test runner may run other suites on other threads meanwhile.
    static func cpuMicroseconds() -> Double {
        var u = rusage()
        getrusage(Self.rusageThread, &u)
        func us(_ t: timeval) -> Double { Double(t.tv_sec) * 1e6 + Double(t.tv_usec) }
        return us(u.ru_utime) + us(u.ru_stime)
    }

    @Test func writeCostPerDomain() throws {
        let (store, path) = try Fixture.newStore()
        // Hundreds of MB at MTASTS_BENCH_DOMAINS=300000: not left behind in the temp dir.
        defer { try? FileManager.default.removeItem(at: path.deletingLastPathComponent()) }
        let scan = try store.beginScan(Fixture.meta())
        // Built and cut into batches before the clock starts: the classifier is not what is measured.
        let records = (1...Self.domains).map { i in
            Fixture.record(i, i % Self.validEvery == 0 ? Self.valid(i) : Self.noRecord(i), rank: i)
        }
        let batches = stride(from: 0, to: records.count, by: Self.batch).map {
            Array(records[$0..<min(records.count, $0 + Self.batch)])
        }
        let t0 = Self.cpuMicroseconds(), w0 = Date()
        var inserted = 0
        for b in batches { inserted += try store.write(b, scanID: scan) }
        let cpu = Self.cpuMicroseconds() - t0, wall = Date().timeIntervalSince(w0)
        print(String(format: "store write: %d domains, %.2f µs CPU per domain (user+sys), %.2f µs wall per domain",
                     Self.domains, cpu / Double(Self.domains), wall * 1e6 / Double(Self.domains)))

        let valid = Self.domains / Self.validEvery
        #expect(inserted == Self.domains)
        #expect(try Fixture.count(store, "SELECT count(*) FROM domains") == Self.domains)
        #expect(try Fixture.count(store, "SELECT count(*) FROM evidence") == Self.domains)
        #expect(try Fixture.count(store, "SELECT count(*) FROM mx_hosts") == records.map(\.verdict.mx.count).reduce(0, +))
        #expect(try Fixture.count(store, "SELECT count(*) FROM findings") == records.map(\.verdict.findings.count).reduce(0, +))
        #expect(try Fixture.count(store, "SELECT count(*) FROM policy_mx") == valid)
        #expect(try Fixture.count(store, "SELECT count(*) FROM tlsrpt_rua") == valid)
        // Three chains of two per valid domain; one leaf per domain plus the provider's and the intermediate.
        #expect(try Fixture.count(store, "SELECT count(*) FROM evidence_certs") == valid * 6)
        #expect(try Fixture.count(store, "SELECT count(*) FROM certificates") == valid + 2)
        #expect(try Fixture.count(store, "SELECT count(*) FROM evidence WHERE policy_body IS NOT NULL") == valid)
        // Spot check: a valid domain's evidence reads back whole.
        let row = try #require(try store.domainRowID(scanID: scan, lineNo: Self.validEvery))
        #expect(try store.evidence(domainRowID: row) == records[Self.validEvery - 1].evidence)
    }
}
