// End to end: the real `mtasts export` and `mtasts reclassify` binaries on a database seeded
// through ScanStore (there is no `scan` to make one yet). Exit statuses per docs/CLI.md.
import Foundation
import MTASTSCore
import Testing
@testable import MTASTSStore

@Suite struct ExportCommandTests {
    /// `.build/<config>/mtasts` beside the test bundle, or $MTASTS_BIN.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["MTASTS_BIN"] { return URL(fileURLWithPath: path) }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("mtasts").path), dir.pathComponents.count > 1 {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("mtasts")
    }

    static func mtasts(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func exportsJSONLAndCSVOfTheNewestScan() throws {
        let (store, scan, records) = try ExportTests.seeded()
        _ = try store.beginScan(Fixture.meta("empty"))    // the newest scan, empty: --scan chooses
        let r = try Self.mtasts(["export", "--db", store.path, "--scan", String(scan), "--format", "jsonl"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == records.map { ExportRow(record: $0).jsonLine + "\n" }.joined())

        let csvPath = try Fixture.tempDir().appendingPathComponent("out.csv").path
        let c = try Self.mtasts(["export", "--db", store.path, "--scan", String(scan), "--format", "csv", "--output", csvPath])
        #expect(c.status == 0 && c.out.isEmpty)
        let csv = try String(contentsOfFile: csvPath, encoding: .utf8)
        #expect(csv == CSV.headerLine + records.map { ExportRow(record: $0).csvLine }.joined())

        // Default: the newest scan, here the empty one.
        let newest = try Self.mtasts(["export", "--db", store.path, "--format", "jsonl"])
        #expect(newest.status == 0 && newest.out.isEmpty)
    }

    /// --scan-columns: the scan's metadata after each row's own fields, from the scans row as
    /// written by beginScan (Fixture.meta), parsed back with Foundation's JSON parser.
    @Test func scanColumnsCarryTheScan() throws {
        let (store, scan, records) = try ExportTests.seeded()
        let meta = try #require(try store.scans().first { $0.id == scan }).meta
        let j = try Self.mtasts(["export", "--db", store.path, "--scan", String(scan), "--format", "jsonl", "--scan-columns"])
        #expect(j.status == 0, "\(j.err)")
        let lines = j.out.split(separator: "\n")
        #expect(lines.count == records.count)
        for line in lines {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let s = try #require(o["scan"] as? [String: Any])
            #expect(s["id"] as? Int == Int(scan) && s["label"] as? String == meta.label)
            #expect(s["started_at"] as? Int == Int(meta.startedAt) && s["input_sha256"] as? String == meta.inputSHA256)
            #expect(s["tool_version"] as? String == meta.toolVersion && o["domain"] != nil)
        }
        let c = try Self.mtasts(["export", "--db", store.path, "--scan", String(scan), "--format", "csv", "--scan-columns"])
        let rows = c.out.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.first == CSV.header.joined(separator: ",") + ",scan_id,scan_label,scan_started_at,scan_input_sha256,scan_tool_version")
        #expect(rows.count == records.count + 1)
        // the default export does not change
        let plain = try Self.mtasts(["export", "--db", store.path, "--scan", String(scan), "--format", "jsonl"])
        #expect(plain.out == records.map { ExportRow(record: $0).jsonLine + "\n" }.joined())
    }

    @Test func failuresExitOneAndUsageTwo() throws {
        let (store, _, _) = try ExportTests.seeded()
        let noScan = try Self.mtasts(["export", "--db", store.path, "--scan", "999", "--format", "jsonl"])
        #expect(noScan.status == 1 && noScan.err.contains("no scan 999"))
        let missing = try Self.mtasts(["export", "--db", "/nonexistent/x.db", "--format", "csv"])
        #expect(missing.status == 1 && missing.err.contains("/nonexistent/x.db"))
        let usage = try Self.mtasts(["export", "--db", store.path, "--format", "xml"])
        #expect(usage.status == 2)
    }

    @Test func reclassifyRuns() throws {
        let (store, scan, _) = try ExportTests.seeded()
        let r = try Self.mtasts(["reclassify", "--db", store.path, "--scan", String(scan)])
        #expect(r.status == 0)
        #expect(r.err.contains("2 domains reclassified, 0 changed"))
    }
}
