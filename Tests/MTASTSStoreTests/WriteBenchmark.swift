// Rows per second of the batched writer. Off by default (it writes ~100k rows); run with
//   MTASTS_STORE_BENCH=1 swift test --skip-build --filter WriteBenchmark
// The numbers are printed; the only assertion is that batching beats one transaction per row.
import Foundation
import MTASTSCore
import Testing
@testable import MTASTSStore

@Suite struct WriteBenchmark {
    static let enabled = ProcessInfo.processInfo.environment["MTASTS_STORE_BENCH"] != nil

    func rate(_ n: Int, _ body: () throws -> Void) rethrows -> Double {
        let t0 = Date()
        try body()
        return Double(n) / Date().timeIntervalSince(t0)
    }

    @Test(.enabled(if: enabled)) func batchedRowsPerSecond() throws {
        let (store, _) = try Fixture.newStore()
        let scan = try store.beginScan(Fixture.meta())
        let n = 100_000, batch = 1000
        let cert = try Fixture.certificate()
        // Build the records first: the benchmark is the writer, not the classifier.
        let lean = (1...n).map { DomainRecord.invalidInput(lineNo: $0, input: "x\($0)") }
        let noRecord = (1...n).map { Fixture.record(n + $0, Fixture.noRecordEvidence("n\($0).example")) }
        let valid = (1...(n / 5)).map { Fixture.record(2 * n + $0, Fixture.validEvidence("v\($0).example", mxChain: [cert.der])) }

        func batched(_ rows: [DomainRecord]) throws -> Double {
            try rate(rows.count) {
                for i in stride(from: 0, to: rows.count, by: batch) {
                    try store.write(Array(rows[i..<min(rows.count, i + batch)]), scanID: scan)
                }
            }
        }
        let leanRate = try batched(lean)
        let noRecordRate = try batched(noRecord)
        let validRate = try batched(valid)
        let single = (1...5000).map { DomainRecord.invalidInput(lineNo: 3 * n + $0, input: "s\($0)") }
        let singleRate = try rate(single.count) { for r in single { try store.write([r], scanID: scan) } }
        print("""
            store write rows/s (batches of \(batch)):
              domain row only (invalid-input)            \(Int(leanRate))
              no-record + evidence JSON + 1 MX host      \(Int(noRecordRate))
              valid + evidence + 2 MX + shared cert      \(Int(validRate))
              domain row only, one transaction per row   \(Int(singleRate))
            """)
        #expect(leanRate > singleRate)
    }
}
