// `--version` carries the git commit the binary was built from (Plugins/BuildCommit), computed
// here with git itself; every scan stores the same string as its tool_version; commit.sh says
// "commit unknown" outside a git work tree (a tarball) and never reports an enclosing repository.
import Foundation
import Testing

@Suite struct VersionTests {
    /// The package root: this file is Tests/MTASTSCLITests/VersionTests.swift.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// git itself, by Process (Shell.run would leave its output files in `dir`).
    static func git(_ args: [String], in dir: URL) throws -> (Int32, String) {
        let p = Process(), out = Pipe()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        p.arguments = ["-C", dir.path, "-c", "user.name=t", "-c", "user.email=t@t.test"] + args
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func versionNamesTheCommitGitReports() throws {
        let (status, head) = try Self.git(["rev-parse", "--short=12", "HEAD"], in: Self.root)
        try #require(status == 0, "the tests run from a git checkout")
        let v = try CLI.run(["--version"])
        #expect(v.status == 0)
        // ", dirty" follows the tree at build time, which may differ from now: either form.
        let want = "mtasts 0.1.0 (commit \(head))\n", wantDirty = "mtasts 0.1.0 (commit \(head), dirty)\n"
        #expect(v.stdout == want || v.stdout == wantDirty, "got \(v.stdout)")
        let sub = try CLI.run(["version"])
        #expect(sub.stdout.hasPrefix(v.stdout))
    }

    /// A scan of invalid lines only (no network) stores the --version string; export
    /// --scan-columns and report show it.
    @Test func scansStoreTheSameVersionString() throws {
        let dir = try Shell.temporaryDirectory("version")
        defer { try? FileManager.default.removeItem(at: dir) }
        let version = try CLI.run(["--version"]).stdout.trimmingCharacters(in: .newlines)
        let r = try Shell.run("""
            printf 'not a domain\\n' > in.txt
            "$MTASTS" scan in.txt --db s.db \(Shell.offline) 2>/dev/null || exit 3
            "$MTASTS" export --db s.db --format jsonl --scan-columns || exit 4
            "$MTASTS" report --db s.db | grep tool_version || exit 5
            """, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"tool_version\": \"\(version.dropFirst("mtasts ".count))\"}"), "\(r.stdout)")
        #expect(r.stdout.contains("tool_version         \(version.dropFirst("mtasts ".count))\n"))
    }

    /// commit.sh itself: a fresh repository, the same with a tracked file changed, a directory
    /// below its top (a tarball unpacked inside someone's repository), and no repository at all.
    @Test func commitScriptCases() throws {
        let dir = try Shell.temporaryDirectory("commit-sh")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = Self.root.appendingPathComponent("Plugins/BuildCommit/commit.sh").path
        func stamp(_ pkg: URL) throws -> String {
            let out = try Shell.temporaryDirectory("commit-out")
            defer { try? FileManager.default.removeItem(at: out) }
            let r = try Shell.run("/bin/sh '\(script)' '\(pkg.path)' '\(out.path)'", in: dir)
            try #require(r.status == 0, "\(r.stderr)")
            return try String(contentsOf: out.appendingPathComponent("BuildCommit.swift"), encoding: .utf8)
        }
        let repo = dir.appendingPathComponent("repo"), sub = repo.appendingPathComponent("sub"), bare = dir.appendingPathComponent("tarball")
        for d in [sub, bare] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        try "a\n".write(to: repo.appendingPathComponent("f.txt"), atomically: true, encoding: .utf8)
        #expect(try Self.git(["init", "-q"], in: repo).0 == 0)
        #expect(try Self.git(["add", "f.txt"], in: repo).0 == 0)
        #expect(try Self.git(["commit", "-q", "-m", "one"], in: repo).0 == 0)
        let head = try Self.git(["rev-parse", "--short=12", "HEAD"], in: repo).1
        #expect(try stamp(repo).contains("let buildCommit = \"commit \(head)\"\n"))
        try "b\n".write(to: repo.appendingPathComponent("f.txt"), atomically: true, encoding: .utf8)
        #expect(try stamp(repo).contains("let buildCommit = \"commit \(head), dirty\"\n"))
        #expect(try stamp(sub).contains("let buildCommit = \"commit unknown\"\n"))
        #expect(try stamp(bare).contains("let buildCommit = \"commit unknown\"\n"))
    }
}
