// Shared test material: a fresh database in a temp dir, hand-built evidence, and real
// certificates made by the openssl command line (so nothing here trusts the code under test).
import Foundation
import MTASTSCore
import Testing
@testable import MTASTSStore

enum Fixture {
    /// A new empty directory under the system temp dir.
    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mtasts-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func newStore() throws -> (ScanStore, URL) {
        let path = try tempDir().appendingPathComponent("scan.db")
        return (try ScanStore(path: path.path), path)
    }

    static func meta(_ label: String = "test", sha: String = String(repeating: "ab", count: 32)) -> ScanMeta {
        ScanMeta(label: label, flags: #"{"concurrency": 10}"#, inputName: "list.txt", inputSHA256: sha, startedAt: 1_700_000_000)
    }

    static let scanTime: Int64 = 1_750_000_000

    static func txt(_ s: String) -> TXTRecord { [Array(s.utf8)] }

    static func tls(_ names: [String], chain: [[UInt8]] = []) -> TLSFacts {
        TLSFacts(version: "TLSv1.3", verifyResult: 0, leafDNSNames: names, notBefore: scanTime - 86_400,
                 notAfter: scanTime + 86_400 * 90, chainDER: chain)
    }

    static let policyBody = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n"

    /// A valid enforce policy; the backup MX matches no pattern: mx_status partial.
    static func validEvidence(_ domain: String = "example.com", mxChain: [[UInt8]] = []) -> Evidence {
        let mail = MXEvidence.Host(name: "mail.example.com", preference: 10, addressLookup: .noError, addresses: ["192.0.2.1"],
                                   probes: [SMTPProbeEvidence(address: "192.0.2.1", outcome: .completed,
                                                              tls: tls(["mail.example.com"], chain: mxChain))])
        let backup = MXEvidence.Host(name: "backup.example.org", preference: 20, addressLookup: .noError, addresses: ["192.0.2.2"],
                                     probes: [SMTPProbeEvidence(address: "192.0.2.2", outcome: .completed,
                                                                tls: tls(["backup.example.org"], chain: mxChain))])
        return Evidence(domain: domain, scanTime: scanTime,
                        txt: DNSLookup(outcome: .noError, txt: [txt("v=STSv1; id=20240501")]),
                        policyFetch: PolicyFetchEvidence(outcome: .response, tls: tls(["mta-sts.\(domain)"]), httpStatus: 200,
                                                         contentType: "text/plain", body: Array(policyBody.utf8)),
                        tlsrpt: DNSLookup(outcome: .noError, txt: [txt("v=TLSRPTv1; rua=mailto:tlsrpt@example.com")]),
                        mx: MXEvidence(lookup: .noError, hosts: [mail, backup], probed: true))
    }

    /// No _mta-sts record; one MX host, not probed; no TLS-RPT record.
    static func noRecordEvidence(_ domain: String = "plain.example") -> Evidence {
        Evidence(domain: domain, scanTime: scanTime, txt: DNSLookup(outcome: .nxDomain),
                 tlsrpt: DNSLookup(outcome: .nxDomain),
                 mx: MXEvidence(lookup: .noError, hosts: [MXEvidence.Host(name: "mx.provider.example", preference: 5)], probed: false))
    }

    static func record(_ line: Int, _ e: Evidence, rank: Int? = nil) -> DomainRecord {
        DomainRecord(lineNo: line, input: e.domain, rank: rank, domain: e.domain, evidence: e,
                     verdict: Classifier.classify(e), millis: 12)
    }

    // MARK: openssl

    struct Generated { let der: [UInt8]; let dir: URL }

    /// A self-signed P-256 certificate with the given CN, SAN and lifetime, made by openssl.
    static func certificate(cn: String = "x", san: String = "mx.example.com", days: Int = 30) throws -> Generated {
        let dir = try tempDir()
        let out = dir.appendingPathComponent("cert.der").path
        try run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                     "-subj", "/CN=\(cn)", "-addext", "subjectAltName=DNS:\(san)", "-days", String(days),
                                     "-outform", "DER", "-keyout", dir.appendingPathComponent("key.pem").path, "-out", out])
        return Generated(der: Array(try Data(contentsOf: URL(fileURLWithPath: out))), dir: dir)
    }

    /// Runs a command; returns stdout; throws on a non-zero exit.
    @discardableResult
    static func run(_ tool: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        _ = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        struct Failed: Error { let status: Int32 }
        guard p.terminationStatus == 0 else { throw Failed(status: p.terminationStatus) }
        return String(decoding: o, as: UTF8.self)
    }

    /// Counts rows of a table (tests may read SQL; the sources keep it in MTASTSStore).
    static func count(_ store: ScanStore, _ sql: String) throws -> Int {
        var n = 0
        try store.db.prepare(sql).query([]) { n = Int($0.int(0)) }
        return n
    }

    static func exportLines(_ store: ScanStore, scanID: Int64) throws -> [String] {
        var lines: [String] = []
        try store.exportRows(scanID: scanID) { lines.append($0.jsonLine) }
        return lines
    }

    static func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }
}
