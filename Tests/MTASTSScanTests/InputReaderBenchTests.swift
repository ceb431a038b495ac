// CPU per input line of InputReader.next on a generated list: 200k `d0000001.test`-style names,
// every fifth as Tranco's `rank,domain`, with CR LF on some lines. Prints user+system ns per
// line (best of a few passes, as others share the machine); asserts no time, only that every
// generated domain came back. For a number worth quoting:
//   swift test -c release --filter InputReaderBenchTests
import Foundation
import Testing
@testable import MTASTSScan

@Suite struct InputReaderBenchTests {
    static let lines = 200_000, passes = 5

    static func cpuNanoseconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        func ns(_ t: timeval) -> Double { Double(t.tv_sec) * 1e9 + Double(t.tv_usec) * 1e3 }
        return ns(u.ru_utime) + ns(u.ru_stime)
    }

    @Test func readCostPerLine() throws {
        var text = ""
        for i in 1...Self.lines {
            let name = "d" + String(repeating: "0", count: 7 - String(i).count) + String(i) + ".test"
            text += i % 5 == 0 ? "\(i),\(name)" : name
            text += i % 7 == 0 ? "\r\n" : "\n"
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mtasts-input-bench-\(getpid()).txt")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }

        var best = Double.infinity
        for _ in 0..<Self.passes {
            let reader = InputReader(handle: try FileHandle(forReadingFrom: url))
            var domains = 0, ranked = 0
            let t0 = Self.cpuNanoseconds()
            while let line = reader.next() {
                if line.domain != nil { domains += 1 }
                if line.rank != nil { ranked += 1 }
            }
            best = min(best, Self.cpuNanoseconds() - t0)
            #expect(domains == Self.lines)
            #expect(ranked == Self.lines / 5)
            #expect(reader.lineNumber == Self.lines)
        }
        print(String(format: "input reader: %d lines, %.0f ns CPU per line (user+sys, best of %d)",
                     Self.lines, best / Double(Self.lines), Self.passes))
    }
}
