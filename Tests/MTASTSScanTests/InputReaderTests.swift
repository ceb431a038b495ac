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
