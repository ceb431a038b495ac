// Input lines as docs/CLI.md defines them: `domain` or Tranco's `rank,domain`; blank lines and
// `#` comments skipped; lower-cased, final dot dropped, U-labels to A-labels (RFC 3492's own
// example labels), anything else `invalid-input` with the line kept.
import Foundation
import Testing
@testable import MTASTSScan

@Suite struct InputReaderTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let line: String
        let text: String?
        let rank: Int?
        let domain: String?
        var testDescription: String { line.debugDescription }
    }

    static let rows: [Row] = [
        Row(line: "example.com", text: "example.com", rank: nil, domain: "example.com"),
        Row(line: "17,example.com", text: "17,example.com", rank: 17, domain: "example.com"),
        Row(line: "  Example.COM.  ", text: "Example.COM.", rank: nil, domain: "example.com"),
        Row(line: "3,Example.COM.\r", text: "3,Example.COM.", rank: 3, domain: "example.com"),
        Row(line: "example.com # a comment", text: "example.com", rank: nil, domain: "example.com"),
        Row(line: "# only a comment", text: nil, rank: nil, domain: nil),
        Row(line: "   ", text: nil, rank: nil, domain: nil),
        Row(line: "", text: nil, rank: nil, domain: nil),
        Row(line: "12,not a domain", text: "12,not a domain", rank: 12, domain: nil),
        Row(line: "x,example.com", text: "x,example.com", rank: nil, domain: nil),
        Row(line: "-bad-.test", text: "-bad-.test", rank: nil, domain: nil),
        Row(line: "a..b.test", text: "a..b.test", rank: nil, domain: nil),
        Row(line: String(repeating: "a", count: 64) + ".test", text: String(repeating: "a", count: 64) + ".test", rank: nil, domain: nil),
        Row(line: "192.0.2.1", text: "192.0.2.1", rank: nil, domain: nil),
        // RFC 3492 §7.1 and the well-known IDNA examples.
        Row(line: "bücher.example", text: "bücher.example", rank: nil, domain: "xn--bcher-kva.example"),
        Row(line: "5,München.DE", text: "5,München.DE", rank: 5, domain: "xn--mnchen-3ya.de"),
        Row(line: "例え.テスト", text: "例え.テスト", rank: nil, domain: "xn--r8jz45g.xn--zckzah"),
    ]

    @Test(arguments: rows)
    func parse(_ r: Row) {
        let line = InputReader.parse(r.line, number: 1)
        #expect(line?.text == r.text)
        #expect(line?.rank == r.rank)
        #expect(line?.domain == r.domain)
    }

    // Pinned: what the String-based parser returned before the byte-level rewrite, computed once
    // with that code and each checked against the rules in DomainName.swift's header, so the fast
    // path is held to the same results, through parse(_:number:) and through a reader.
    static let a63 = String(repeating: "a", count: 63), a64 = a63 + "a"
    static let n253 = [a63, a63, a63, String(a63.dropFirst(2))].joined(separator: ".")
    static let n254 = n253 + "a", n255 = n254 + "a"
    static let pinned: [Row] = [
        // Case and the final dot (one dropped, not two).
        Row("EXAMPLE.COM", "EXAMPLE.COM", nil, "example.com"),
        Row("Example.Com.", "Example.Com.", nil, "example.com"),
        Row("5,EXAMPLE.COM.", "5,EXAMPLE.COM.", 5, "example.com"),
        Row("example.com..", "example.com..", nil, nil),
        Row(".example.com", ".example.com", nil, nil),
        Row(".", ".", nil, nil),
        Row("..", "..", nil, nil),
        Row("a.", "a.", nil, "a"),
        Row("a..", "a..", nil, nil),
        Row("a.b.", "a.b.", nil, "a.b"),
        // Hyphens: not first or last in a label.
        Row("-a.test", "-a.test", nil, nil),
        Row("a-.test", "a-.test", nil, nil),
        Row("a-b.test", "a-b.test", nil, "a-b.test"),
        Row("a--b.test", "a--b.test", nil, "a--b.test"),
        Row("a.-b.test", "a.-b.test", nil, nil),
        Row("a.b-.test", "a.b-.test", nil, nil),
        Row("-", "-", nil, nil),
        Row("a-", "a-", nil, nil),
        // Lengths: labels of 1-63 octets, names of at most 253 without the final dot.
        Row(a63 + ".test", a63 + ".test", nil, a63 + ".test"),
        Row(a64 + ".test", a64 + ".test", nil, nil),
        Row("x." + a63, "x." + a63, nil, "x." + a63),
        Row("x." + a64, "x." + a64, nil, nil),
        Row(n253, n253, nil, n253),
        Row(n254, n254, nil, nil),
        Row(n253 + ".", n253 + ".", nil, n253),
        Row(n254 + ".", n254 + ".", nil, nil),
        Row(n255, n255, nil, nil),
        // Digits: the last label may not be all digits.
        Row("example.123", "example.123", nil, nil),
        Row("123.example", "123.example", nil, "123.example"),
        Row("1", "1", nil, nil),
        Row("0", "0", nil, nil),
        Row("a1", "a1", nil, "a1"),
        Row("example.1a", "example.1a", nil, "example.1a"),
        Row("example.a1", "example.a1", nil, "example.a1"),
        Row("1-2.3-4", "1-2.3-4", nil, "1-2.3-4"),
        Row("0.0.0.0.a", "0.0.0.0.a", nil, "0.0.0.0.a"),
        // Other bytes; ASCII whitespace is trimmed only at the ends.
        Row("_dmarc.example.com", "_dmarc.example.com", nil, nil),
        Row("a_b.test", "a_b.test", nil, nil),
        Row("exa mple.com", "exa mple.com", nil, nil),
        Row("\texample.com\t", "example.com", nil, "example.com"),
        Row("exa\tmple.com", "exa\tmple.com", nil, nil),
        Row("example.com\r", "example.com", nil, "example.com"),
        Row("exa\rmple.com", "exa\rmple.com", nil, nil),
        Row("\u{0B}example.com\u{0C}", "example.com", nil, "example.com"),
        Row("exa\0mple.com", "exa\0mple.com", nil, nil),
        Row("exa*mple.com", "exa*mple.com", nil, nil),
        Row("*.example.com", "*.example.com", nil, nil),
        // Non-ASCII: Unicode lower-casing (U+212A is K), then IDNA2008. U+3002 and U+00A0 are
        // DISALLOWED code points (RFC 5892), not mapped to a dot or a space (no UTS #46 mapping):
        // since issue 14 those lines are invalid-input, not the Punycode of the whole line.
        Row("bücher.example", "bücher.example", nil, "xn--bcher-kva.example"),
        Row("BÜCHER.EXAMPLE.", "BÜCHER.EXAMPLE.", nil, "xn--bcher-kva.example"),
        Row("straße.de", "straße.de", nil, "xn--strae-oqa.de"),
        Row("\u{212A}.test", "\u{212A}.test", nil, "k.test"),
        Row("\u{0130}.test", "\u{0130}.test", nil, "xn--i-9bb.test"),
        Row("例え\u{3002}テスト", "例え\u{3002}テスト", nil, nil),
        Row("\u{00A0}example.com", "\u{00A0}example.com", nil, nil),
        Row("a.\u{301}", "a.\u{301}", nil, nil),
        Row("ü", "ü", nil, "xn--tda"),
        Row("ü.", "ü.", nil, "xn--tda"),
        // A-labels pass as plain ASCII labels.
        Row("xn--bcher-kva.example", "xn--bcher-kva.example", nil, "xn--bcher-kva.example"),
        Row("XN--BCHER-KVA.EXAMPLE", "XN--BCHER-KVA.EXAMPLE", nil, "xn--bcher-kva.example"),
        Row("xn--.test", "xn--.test", nil, nil),
        Row("xn--a.test", "xn--a.test", nil, "xn--a.test"),
        // Ranks: 1-18 ASCII digits before the first comma, whitespace around either part.
        Row("1,2,example.com", "1,2,example.com", 1, nil),
        Row(",example.com", ",example.com", nil, nil),
        Row("5,", "5,", 5, nil),
        Row("5, ", "5,", 5, nil),
        Row("example.com,", "example.com,", nil, nil),
        Row(" 7 , Example.com ", "7 , Example.com", 7, "example.com"),
        Row("7\t,\texample.com", "7\t,\texample.com", 7, "example.com"),
        Row("1 2,example.com", "1 2,example.com", nil, nil),
        Row("123456789012345678,example.com", "123456789012345678,example.com", 123456789012345678, "example.com"),
        Row("1234567890123456789,example.com", "1234567890123456789,example.com", nil, nil),
        Row("000000000000000001,a.test", "000000000000000001,a.test", 1, "a.test"),
        Row("+5,a.test", "+5,a.test", nil, nil),
        Row("-5,a.test", "-5,a.test", nil, nil),
        Row("5 ,", "5 ,", 5, nil),
        // Comments cut the line anywhere.
        Row("5,#x", "5,", 5, nil),
        Row("exa#mple.com", "exa", nil, "exa"),
        Row("#", nil, nil, nil),
        Row("  # x", nil, nil, nil),
        Row("a.test#", "a.test", nil, "a.test"),
        Row("5#,a.test", "5", nil, nil),
        // Single labels, and ranked lines through the other paths.
        Row("localhost", "localhost", nil, "localhost"),
        Row("com", "com", nil, "com"),
        Row("5,bücher.example", "5,bücher.example", 5, "xn--bcher-kva.example"),
        Row("12,-bad.test", "12,-bad.test", 12, nil),
        Row("\u{0661}\u{0662},example.com", "\u{0661}\u{0662},example.com", nil, nil),
    ]

    @Test(arguments: pinned)
    func pinnedParse(_ r: Row) { parse(r) }

    /// Every line `reader` returns, by line number, and the number of lines it counted.
    static func readAll(_ bytes: [UInt8]) throws -> (lines: [Int: InputLine], count: Int) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtasts-pinned-\(UUID().uuidString).txt")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = InputReader(handle: try FileHandle(forReadingFrom: url))
        var lines: [Int: InputLine] = [:]
        while let l = reader.next() { lines[l.number] = l }
        return (lines, reader.lineNumber)
    }

    @Test func pinnedThroughReader() throws {
        // One row a line, LF and CR LF alternating, the last without a newline. Rows holding a CR
        // are left out: a CR ends a line (InputReaderLineTests).
        let pinned = Self.pinned.filter { !$0.line.contains("\r") }
        var bytes: [UInt8] = []
        for (i, r) in pinned.enumerated() {
            if i > 0 { bytes += i % 2 == 0 ? [0x0A] : [0x0D, 0x0A] }
            bytes += r.line.utf8
        }
        let (lines, count) = try Self.readAll(bytes)
        #expect(count == pinned.count)
        for (i, r) in pinned.enumerated() {
            let line = lines[i + 1]
            #expect(line?.text == r.text, "\(r.line.debugDescription)")
            #expect(line?.rank == r.rank, "\(r.line.debugDescription)")
            #expect(line?.domain == r.domain, "\(r.line.debugDescription)")
        }
    }

    @Test func invalidUTF8IsNotADomain() throws {
        // Each ill-formed sequence becomes one U+FFFD in the stored text (as String(decoding:)
        // does); a name holding one is invalid input, never Punycode of U+FFFD ("caf\xE9.test"
        // once became xn--caf-7t7s.test, a name nobody listed).
        let rows: [(bytes: [UInt8], text: String, rank: Int?, domain: String?)] = [
            (Array("caf".utf8) + [0xE9] + Array(".test".utf8), "caf\u{FFFD}.test", nil, nil),
            ([0xC3] + Array("#x".utf8), "\u{FFFD}", nil, nil),
            (Array("5,".utf8) + [0xFF, 0xFE] + Array(".test".utf8), "5,\u{FFFD}\u{FFFD}.test", 5, nil),
            ([0xE2, 0x82] + Array(".test\r".utf8), "\u{FFFD}.test", nil, nil),
            (Array("a.test".utf8) + [0xC3], "a.test\u{FFFD}", nil, nil),
            ([0xC3, 0x0D], "\u{FFFD}", nil, nil),
            ([0x20, 0xC3, 0x20], "\u{FFFD}", nil, nil),
            (Array("5,a".utf8) + [0xC3, 0x2C] + Array("b.test".utf8), "5,a\u{FFFD},b.test", 5, nil),
            // A real U-label still goes through: the rule is about U+FFFD only.
            (Array("bücher.test".utf8), "bücher.test", nil, "xn--bcher-kva.test"),
        ]
        let (lines, count) = try Self.readAll(Array(rows.map(\.bytes).joined(separator: [0x0A])))
        #expect(count == rows.count)
        for (i, r) in rows.enumerated() {
            #expect(lines[i + 1]?.text == r.text)
            #expect(lines[i + 1]?.rank == r.rank)
            #expect(lines[i + 1]?.domain == r.domain)
        }
    }

    @Test func streamsLinesAcrossChunksWithNumbers() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtasts-input-\(getpid()).txt")
        var text = "# header\n\n"
        for i in 0..<30_000 { text += "\(i),d\(i).test\r\n" }
        text += "last.test"   // no final newline
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = InputReader(handle: try FileHandle(forReadingFrom: url))
        var lines: [InputLine] = []
        while let l = reader.next() { lines.append(l) }
        #expect(lines.count == 30_001)
        #expect(lines.first?.number == 3 && lines.first?.domain == "d0.test" && lines.first?.rank == 0)
        #expect(lines[29_999].domain == "d29999.test")
        #expect(lines.last?.number == 30_003 && lines.last?.domain == "last.test")
    }

    @Test func seenDomainsAndShardsAreStable() {
        var seen = SeenDomains()
        let first = seen.insert("example.com")
        let second = seen.insert("example.com")
        #expect(first && !second)
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (the published test vector).
        #expect(StableHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        let config = RunnerConfig(shardCount: 4, shardIndex: 0)
        let inShard0 = (0..<1000).filter { config.inShard("d\($0).test") }.count
        #expect(inShard0 > 180 && inShard0 < 320)
    }
}

extension InputReaderTests.Row {
    init(_ line: String, _ text: String?, _ rank: Int?, _ domain: String?) {
        self.init(line: line, text: text, rank: rank, domain: domain)
    }
}
