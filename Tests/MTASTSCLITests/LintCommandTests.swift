// End-to-end tests of `mtasts lint`: exit statuses, the JSON shape of docs/CLI.md, reading stdin.
// Expected values come from RFC 8461's own examples and the contract, not from the code.
import Foundation
import Testing

@Suite struct LintCommandTests {
    /// RFC 8461 §3.2, the example policy, byte for byte (CRLF line endings).
    static let rfcPolicy = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n"

    @Test func rfcExampleRecordIsValid() throws {
        // RFC 8461 §3.1: `_mta-sts.example.com. IN TXT "v=STSv1; id=20160831085700Z;"`
        let r = try CLI.run(["lint", "--record", "v=STSv1; id=20160831085700Z;"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("result: valid"))
        #expect(r.stdout.contains("id: 20160831085700Z"))
    }

    @Test func invalidIdExitsFourAndExplains() throws {
        let r = try CLI.run(["lint", "--record", "v=STSv1; id=2024-05-01"])
        #expect(r.status == 4)
        #expect(r.stdout.contains("txt-invalid-id"))
        #expect(r.stdout.contains("RFC 8461 §3.1"))
        #expect(r.stdout.contains("fix:"))
    }

    @Test func severalRecordsMeanSeveralTXTRecords() throws {
        let r = try CLI.run(["lint", "--record", "v=STSv1; id=1", "--record", "v=STSv1; id=2", "--json"])
        #expect(r.status == 4)
        let codes = (r.json?["findings"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
        #expect(codes.contains("txt-multiple-sts-records"))
    }

    @Test func nonSTSRecordBesideTheSTSOneIsLegal() throws {
        let r = try CLI.run(["lint", "--record", "v=spf1 -all", "--record", "v=STSv1; id=abc", "--json"])
        #expect(r.status == 0)
        #expect(r.json?["id"] as? String == "abc")
    }

    @Test func policyFromStdinJSONShape() throws {
        let r = try CLI.run(["lint", "--policy", "-", "--json"], stdin: Data(Self.rfcPolicy.utf8))
        #expect(r.status == 0)
        let j = try #require(r.json)
        // docs/CLI.md: valid, mode, id, max_age, mx, findings; absent ones null, never missing.
        for key in ["valid", "mode", "id", "max_age", "mx", "findings"] {
            #expect(j.keys.contains(key), "missing key \(key)")
        }
        #expect(j["valid"] as? Bool == true)
        #expect(j["mode"] as? String == "enforce")
        #expect(j["id"] is NSNull)
        #expect((j["max_age"] as? NSNumber)?.intValue == 604800)
        #expect(j["mx"] as? [String] == ["mail.example.com", "*.example.net", "backupmx.example.com"])
        let codes = (j["findings"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
        #expect(codes == ["policy-wildcard-mx"])
    }

    @Test func policyFileWithErrorsExitsFour() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mtasts-lint-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("mta-sts.txt")
        try Data("version: STSv1\nmode: Enforce\nmax_age: 86400\n".utf8).write(to: file)
        let r = try CLI.run(["lint", "--policy", file.path, "--json"])
        #expect(r.status == 4)
        #expect(r.json?["valid"] as? Bool == false)
        let codes = (r.json?["findings"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
        #expect(codes.contains("policy-invalid-mode"))
        for f in (r.json?["findings"] as? [[String: Any]]) ?? [] {
            #expect(["error", "warning", "info"].contains(f["severity"] as? String ?? ""))
        }
    }

    @Test func tlsrptRecords() throws {
        let ok = try CLI.run(["lint", "--tlsrpt", "v=TLSRPTv1;rua=mailto:reports@example.com", "--json"])
        #expect(ok.status == 0)
        #expect(ok.json?["rua"] as? [String] == ["mailto:reports@example.com"])
        let bad = try CLI.run(["lint", "--tlsrpt", "v=TLSRPTv1; rua=mailto:reports@example.com!10m"])
        #expect(bad.status == 4)
        #expect(bad.stdout.contains("tlsrpt-invalid"))
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try CLI.run(["lint"]).status == 2)
        #expect(try CLI.run(["lint", "--no-such-flag"]).status == 2)
        #expect(try CLI.run(["no-such-command"]).status == 2)
    }

    @Test func unreadablePolicyExitsOne() throws {
        let r = try CLI.run(["lint", "--policy", "/nonexistent/mta-sts.txt"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("cannot read"))
    }

    @Test func helpExitsZero() throws {
        let r = try CLI.run(["lint", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("--policy"))
    }

    @Test func oneMebibyteOfGarbageGetsFindingsNotACrash() throws {
        var rng = SystemRandomNumberGenerator()
        let garbage = Data((0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        let r = try CLI.run(["lint", "--policy", "-", "--json"], stdin: garbage)
        #expect(r.status == 4)
        #expect(((r.json?["findings"] as? [Any])?.count ?? 0) > 0)
    }
}
