// `mtasts scan` on input a careless user or an attacker gives (issue 14, item 3), through the real
// binary: a directory (as the path or as stdin) and a closed stdin are a clear error, exit 1, and
// no database (so no scan row nobody can resume); a FIFO and `<(...)` are read once and hashed as
// read (the digest checked against sha256sum); a 1 MB and a 100 MB line finish with a few tens of
// MB (peak RSS from /usr/bin/time; a generous bound, no timing); a BOM and CR-only line ends.
import Foundation
import Testing

@Suite(.serialized) struct HostileInputTests {
    static func scanIn(_ setup: String, input: String, check: String = "") throws -> (CLIResult, URL) {
        let dir = try Shell.temporaryDirectory("input")
        let r = try Shell.run("""
            \(setup)
            timeout -s KILL 600 "$MTASTS" scan \(input) --db t.db \(Shell.offline) || exit $?
            \(check)
            """, in: dir)
        return (r, dir)
    }

    @Test(arguments: [
        ("mkdir d", "d", "input 'd' is a directory"),
        ("mkdir d", "- < d", "input stdin is a directory"),
        ("true", "- <&-", "stdin is closed"),
        ("true", "missing.txt", "cannot read input 'missing.txt': No such file or directory"),
    ])
    func unusableInputIsAClearErrorAndNoScanRow(_ setup: String, _ input: String, _ message: String) throws {
        let (r, dir) = try Self.scanIn(setup, input: input)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(r.status == 1)
        #expect(r.stderr == "mtasts scan: \(message)\n" || r.stderr.hasPrefix("mtasts scan: \(message)"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("t.db").path), "a scan row was left")
    }

    /// The scan's input_sha256 as `mtasts report` prints it, and sha256sum's digest of in.txt.
    static let digests = """
        "$MTASTS" report --db t.db | awk '$1 == "input_sha256" { print $2 }'
        sha256sum < in.txt | cut -c1-64
        """

    @Test(arguments: [
        ("fifo", "mkfifo fifo; cat in.txt > fifo &", "fifo"),
        ("process substitution", "true", "<(cat in.txt)"),
        ("stdin pipe", "true", "- < <(cat in.txt)"),
        ("stdin file", "true", "- < in.txt"),
        ("file", "true", "in.txt"),
    ])
    func streamsAreReadOnceAndHashed(_ name: String, _ setup: String, _ input: String) throws {
        let (r, dir) = try Self.scanIn("printf '\\xef\\xbb\\xbfa.test\\r\\nb.test\\nnot a domain\\n' > in.txt; " + setup,
                                       input: input, check: Self.digests)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(r.status == 0, "\(name): \(r.stderr)")
        #expect(r.stderr.contains("lines read: 3, invalid: 1"), "\(name): \(r.stderr)")
        let d = r.stdout.split(separator: "\n")
        #expect(d.count == 2 && d[0] == d[1] && d[0].count == 64, "\(name): \(r.stdout)")
    }

    @Test func resumeRefusesAStream() throws {
        let (r, dir) = try Self.scanIn("printf 'a.test\\n' > in.txt", input: "<(cat in.txt) --resume")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(r.status == 1)
        #expect(r.stderr.contains("--resume needs a regular file"), "\(r.stderr)")
    }

    @Test func aBOMAndCROnlyLineEnds() throws {
        let (r, dir) = try Self.scanIn("printf '\\xef\\xbb\\xbfOne.test\\rtwo.test\\r\\rthree.test\\r' > in.txt", input: "in.txt",
                                       check: "\"$MTASTS\" export --db t.db --format csv | cut -d, -f1,2 | sort")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("lines read: 4, invalid: 0"), "\(r.stderr)")
        #expect(r.stdout == "domain,input\none.test,One.test\nthree.test,three.test\ntwo.test,two.test\n")
    }

    /// Peak RSS (KB, /usr/bin/time's %M) of scanning a file with one huge line between two
    /// domains; the huge line is made by `make` (a shell command writing it to big.txt).
    static func hugeLine(_ make: String) throws -> (CLIResult, Int) {
        let dir = try Shell.temporaryDirectory("hugeline")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Shell.run("""
            { echo a.test; \(make); printf '\\nb.test\\n'; } > big.txt
            /usr/bin/time -f 'peak-rss-kb %M' timeout -s KILL 600 "$MTASTS" scan big.txt --db t.db \(Shell.offline)
            """, in: dir)
        let kb = r.stderr.split(separator: "\n").last { $0.hasPrefix("peak-rss-kb ") }.flatMap { Int($0.dropFirst(12)) } ?? -1
        return (r, kb)
    }

    @Test func aOneMegabyteUnicodeLine() throws {
        // 349,526 CJK ideographs cycling through 20,000 code points (1 MB of UTF-8): Punycode's
        // outer loop ran once per distinct code point over the whole label, before any length
        // check: the old reader never finished (killed after 120 s here; issue 14: nor heeded SIGTERM).
        let (r, kb) = try Self.hugeLine("python3 -c \"import sys; sys.stdout.write(''.join(chr(0x4E00 + i % 20000) for i in range(349526)))\"")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("lines read: 3, invalid: 1"), "\(r.stderr)")
        #expect(kb > 0 && kb < 300_000, "peak RSS \(kb) KB")
    }

    @Test func aHundredMegabyteLine() throws {
        // 100 MiB of 'a' without a newline: once 437 MB of RSS and 86 s; now never buffered.
        let (r, kb) = try Self.hugeLine("head -c 104857600 /dev/zero | tr '\\0' a")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("lines read: 3, invalid: 1"), "\(r.stderr)")
        #expect(kb > 0 && kb < 300_000, "peak RSS \(kb) KB")
    }
}
