// CPU per call of `Classifier.classify` on the evidence StoreWriteBenchTests writes: a no-record
// domain (98% of a survey) and a valid one. Prints ns of CPU per call; asserts no time, only the
// verdicts. Here rather than in MTASTSCoreTests so both benches share one set of evidence.
// For a number worth quoting: swift test -c release --filter ClassifyBenchTests
import Foundation
import MTASTSCore
import Testing

@Suite struct ClassifyBenchTests {
    /// Classifies `evidence` round-robin `calls` times; returns CPU ns per call and the statuses seen.
    static func measure(_ evidence: [Evidence], calls: Int) -> (ns: Double, statuses: Set<DomainStatus>, mx: Set<MXStatus>) {
        var statuses = Set<DomainStatus>(), mx = Set<MXStatus>()
        var findings = 0
        let t0 = StoreWriteBenchTests.cpuMicroseconds()
        for i in 0..<calls {
            let v = Classifier.classify(evidence[i % evidence.count])
            findings &+= v.findings.count &+ v.mx.count
            if i < evidence.count { statuses.insert(v.status); mx.insert(v.mxStatus) }
        }
        let cpu = StoreWriteBenchTests.cpuMicroseconds() - t0
        // Used, so the loop's verdicts cannot be dropped as dead code.
        #expect(findings >= 0)
        return (cpu * 1000 / Double(calls), statuses, mx)
    }

    @Test func classifyCostPerCall() {
        let noRecord = (1...1000).map(StoreWriteBenchTests.noRecord)
        let valid = (1...1000).map { StoreWriteBenchTests.valid($0 * StoreWriteBenchTests.validEvery) }
        _ = Self.measure(noRecord, calls: 10_000)  // warm-up
        let n = Self.measure(noRecord, calls: 1_000_000)
        let v = Self.measure(valid, calls: 20_000)
        print(String(format: "classify: no-record %.0f ns CPU per call, valid %.0f ns CPU per call", n.ns, v.ns))
        #expect(n.statuses == [.noRecord] && n.mx == [.notProbed])
        #expect(v.statuses == [.valid] && v.mx == [.allPass])
    }
}
