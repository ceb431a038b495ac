// Hostile and unusual input through a real InputReader on a real file or pipe (issue 14): a UTF-8
// byte order mark, CR-only and CR LF line ends (also split across two reads), lines over
// InputReader.maxLineBytes (kept short, never buffered), and the digest of a stream, checked
// against sha256sum(1).
import Foundation
import Testing
@testable import MTASTSScan

@Suite struct InputReaderLineTests {
    static func lines(_ bytes: [UInt8]) throws -> (lines: [Int: InputLine], count: Int) {
        try InputReaderTests.readAll(bytes)
    }

    @Test func byteOrderMarkAtTheStartIsDropped() throws {
        let (lines, count) = try Self.lines([0xEF, 0xBB, 0xBF] + Array("Example.test\nb.test\n".utf8))
        #expect(count == 2)
        #expect(lines[1]?.domain == "example.test")
        #expect(lines[1]?.text == "Example.test")
        #expect(lines[2]?.domain == "b.test")
    }

    @Test func byteOrderMarkElsewhereIsNotAName() throws {
        // Only the very first bytes are a BOM; U+FEFF inside the input is a character (DISALLOWED).
        let (lines, count) = try Self.lines(Array("a.test\n\u{FEFF}b.test\n".utf8))
        #expect(count == 2)
        #expect(lines[1]?.domain == "a.test")
        #expect(lines[2] != nil && lines[2]?.domain == nil)
    }

    @Test func onlyABOM() throws {
        let (lines, count) = try Self.lines([0xEF, 0xBB, 0xBF])
        #expect(count == 0 && lines.isEmpty)
    }

    @Test func carriageReturnAloneEndsALine() throws {
        let (lines, count) = try Self.lines(Array("a.test\rb.test\r\rc.test\r".utf8))
        #expect(count == 4)   // the third line is blank
        #expect(lines[1]?.domain == "a.test")
        #expect(lines[2]?.domain == "b.test")
        #expect(lines[3] == nil)
        #expect(lines[4]?.domain == "c.test")
    }

    @Test func mixedLineEndsCountOnce() throws {
        let (lines, count) = try Self.lines(Array("a.test\r\nb.test\nc.test\rd.test\r\n\r\ne.test".utf8))
        #expect(count == 6)
        #expect([1, 2, 3, 4, 6].map { lines[$0]?.domain } == ["a.test", "b.test", "c.test", "d.test", "e.test"])
    }

    @Test func crLFSplitAcrossTwoReads() throws {
        // The reader reads 64 KiB at a time: put a CR as byte 65535 and its LF as byte 65536.
        var bytes: [UInt8] = []
        var n = 0
        while bytes.count < 65_536 - 40 { n += 1; bytes += Array("n\(n).test\r\n".utf8) }
        let filler = 65_535 - bytes.count - "x.test".count
        n += 1
        bytes += Array(("x" + String(repeating: "y", count: filler) + ".test").utf8)
        #expect(bytes.count == 65_535)
        bytes += [0x0D, 0x0A] + Array("last.test\r\n".utf8)
        #expect(bytes[65_535] == 0x0D && bytes[65_536] == 0x0A)
        let (lines, count) = try Self.lines(bytes)
        #expect(count == n + 1)
        #expect(lines[n + 1]?.domain == "last.test")
    }

    @Test func aLineAtTheLimitIsRead() throws {
        // maxLineBytes exactly (a long comment): parsed as usual.
        let head = "example.test #"
        let line = head + String(repeating: "c", count: InputReader.maxLineBytes - head.utf8.count)
        let (lines, count) = try Self.lines(Array((line + "\nb.test\n").utf8))
        #expect(count == 2)
        #expect(lines[1]?.domain == "example.test")
        #expect(lines[2]?.domain == "b.test")
    }

    @Test(arguments: [InputReader.maxLineBytes + 1, 65_537, 1 << 20, 3 << 20])
    func anOverLongLineIsInvalidAndShort(_ length: Int) throws {
        // Non-ASCII, so the old reader would have run Punycode on all of it (issue 14: minutes).
        let long = String(repeating: "\u{00FC}", count: length / 2) + (length % 2 == 1 ? "a" : "")
        let (lines, count) = try Self.lines(Array(("a.test\n" + long + "\r\nb.test\n").utf8))
        #expect(count == 3)
        #expect(lines[1]?.domain == "a.test")
        #expect(lines[2] != nil && lines[2]?.domain == nil)
        #expect(lines[2]?.text == String(repeating: "\u{00FC}", count: InputReader.keptBytes / 2) + "\u{2026}")
        #expect(lines[3]?.domain == "b.test")
    }

    @Test func anOverLongLastLineWithoutEnd() throws {
        let (lines, count) = try Self.lines(Array(("a.test\n" + String(repeating: "a", count: 100_000)).utf8))
        #expect(count == 2)
        #expect(lines[2]?.domain == nil)
        #expect(lines[2]?.text.utf8.count == InputReader.keptBytes + "\u{2026}".utf8.count)
    }

    @Test func aStreamIsHashedAsItIsRead() throws {
        // Through a pipe, as stdin would be; the digest is sha256sum's.
        var text = "\u{FEFF}"
        for i in 0..<30_000 { text += i % 3 == 0 ? "\(i),d\(i).test\r\n" : "d\(i).test\n" }
        let bytes = Array(text.utf8)
        let pipe = Pipe()
        let writer = Thread { pipe.fileHandleForWriting.write(Data(bytes)); try? pipe.fileHandleForWriting.close() }
        writer.start()
        let reader = InputReader(handle: pipe.fileHandleForReading, hashing: true)
        var n = 0
        while reader.next() != nil { n += 1 }
        #expect(n == 30_000)
        #expect(reader.readError == nil)
        #expect(reader.sha256Hex == (try Self.sha256sum(bytes)))
    }

    @Test func aReadErrorEndsTheInputWithoutACrash() throws {
        // A directory opened for reading: read(2) fails with EISDIR.
        let fd = open(FileManager.default.temporaryDirectory.path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        let reader = InputReader(fileDescriptor: fd, hashing: true)
        #expect(reader.next() == nil)
        #expect(reader.readError != nil)
        #expect(reader.sha256Hex == nil)
    }

    static func sha256sum(_ bytes: [UInt8]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let inp = Pipe(), out = Pipe()
        p.standardInput = inp
        p.standardOutput = out
        try p.run()
        let w = Thread { inp.fileHandleForWriting.write(Data(bytes)); try? inp.fileHandleForWriting.close() }
        w.start()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(String(decoding: o, as: UTF8.self).prefix(64))
    }
}
