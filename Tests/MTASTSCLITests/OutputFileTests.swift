// Where the analysis commands write (issue 14, item 2): a character device or a FIFO is written
// in place and stays what it was; a regular file is replaced whole (its mode kept, a symbolic link
// kept); a directory or an impossible path is a clear error, exit 1. Through the real binary, as
// root on a `mknod` copy of /dev/null in a temporary directory.
import Foundation
import Testing

@Suite(.serialized) struct OutputFileTests {
    /// A directory with a database of two small offline scans (so `diff` has two to compare).
    static func fixture() throws -> URL {
        let dir = try Shell.temporaryDirectory("output")
        let r = try Shell.run("""
            printf 'a.test\\nnot a domain\\n' > in.txt
            "$MTASTS" scan in.txt --db t.db \(Shell.offline) && "$MTASTS" scan in.txt --db t.db \(Shell.offline)
            """, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        return dir
    }

    static func fileType(_ path: String) -> FileAttributeType? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
    }

    @Test func everyOutputFlagWritesInPlaceToACharacterDevice() throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mk = try Shell.run("mknod -m 666 null c 1 3", in: dir)
        #expect(mk.status == 0, "mknod needs root: \(mk.stderr)")
        let commands = [
            "export --db t.db --format jsonl --output null",
            "export --db t.db --format csv --output null",
            "report --db t.db --html null",
            "trends --db t.db --csv null",
            "trends --db t.db --html null",
            "diff --db t.db 1 2 --csv null",
        ]
        for c in commands {
            let r = try Shell.run("\"$MTASTS\" \(c) >/dev/null", in: dir)
            #expect(r.status == 0, "\(c): \(r.stderr)")
            #expect(Self.fileType(dir.appendingPathComponent("null").path) == .typeCharacterSpecial, "\(c) replaced the device")
        }
        // Still the null device: what is written there is gone.
        let st = try Shell.run("stat -c '%F %t:%T' null; head -c 10 null | wc -c", in: dir)
        #expect(st.stdout == "character special file 1:3\n0\n")
    }

    @Test func aFIFOIsWrittenInPlace() throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Shell.run("""
            mkfifo fifo
            timeout -s KILL 120 cat fifo > via-fifo.jsonl &   # bounded: if the FIFO were replaced, no writer would come
            timeout -s KILL 120 "$MTASTS" export --db t.db --format jsonl --output fifo || exit 1
            wait
            "$MTASTS" export --db t.db --format jsonl --output plain.jsonl || exit 1
            cmp via-fifo.jsonl plain.jsonl && stat -c %F fifo
            """, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "fifo\n")
    }

    @Test func aRegularFileIsReplacedWholeKeepingModeAndLink() throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Shell.run("""
            echo old > out.csv && chmod 0640 out.csv && ln -s out.csv link.csv
            "$MTASTS" export --db t.db --format csv --output link.csv || exit 1
            stat -c '%F %a' link.csv out.csv; head -c 7 out.csv; echo; ls -A | grep -c mtasts- || true
            """, in: dir)
        #expect(r.stdout == "symbolic link 777\nregular file 640\ndomain,\n0\n", "\(r.stderr)")
    }

    @Test(arguments: [
        ("adir", "mkdir adir", "it is a directory"),
        ("missing/out.csv", "true", "No such file or directory"),
        ("in.txt/out.csv", "true", "Not a directory"),
        // A copy of /dev/full in the temporary directory, never the machine's own: the old code
        // replaced the path it was given with a regular file.
        ("full", "mknod -m 666 full c 1 7", "No space left on device"),
    ])
    func anImpossibleOutputIsAClearError(_ path: String, _ setup: String, _ message: String) throws {
        let dir = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Shell.run("\(setup) && \"$MTASTS\" export --db t.db --format csv --output \(path)", in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("mtasts export: ") && r.stderr.contains(path) && r.stderr.contains(message), "\(r.stderr)")
        #expect(!r.stderr.contains("Error Domain"))
    }
}

/// The database is a path too: only a regular file (or a link to one, or a new path) is opened.
/// SQLite opened a device as a database and created `<path>-journal` and `-wal` beside it, in
/// /dev when the path was /dev/null and the user root.
@Suite struct DatabasePathTests {
    @Test(arguments: ["export --db DB --format csv", "report --db DB", "trends --db DB",
                      "scan in.txt --db DB \(Shell.offline)"])
    func aDeviceOrADirectoryIsNotADatabase(_ command: String) throws {
        let dir = try Shell.temporaryDirectory("dbpath")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Shell.run("""
            printf 'a.test\\n' > in.txt; mknod -m 666 null c 1 3 || exit 9; mkdir adir
            for db in null adir; do
              "$MTASTS" \(command.replacingOccurrences(of: "DB", with: "$db")) >/dev/null 2>>err.txt; echo "rc=$?"
            done
            stat -c %F null; ls -A | sort | tr '\\n' ' '
            """, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "rc=1\nrc=1\ncharacter special file\n.shell-stderr .shell-stdout adir err.txt in.txt null ",
                "\(command): \(r.stdout)")
        let err = try String(contentsOf: dir.appendingPathComponent("err.txt"), encoding: .utf8)
        #expect(err.components(separatedBy: "not a regular file").count == 3, "\(command): \(err)")
    }
}
