// The DNS window (QueryWindow): a query stops counting against --dns-in-flight once it is a second
// old, so zones that never answer do not hold the window for their whole timeout (issue 19).
// First the arithmetic on its own, against counts worked out by hand; then the loop against a
// resolver that never answers some names (TestSupport's LoopbackResolver), where the order in
// which answers arrive tells the old behaviour from the new without reading a clock.
import Foundation
import MTASTSCore
import Testing
import TestSupport
@testable import MTASTSNet

@Suite struct QueryWindowTests {
    // 1000 ms young at 100 ms ticks: a query started at tick t is young through tick t + 9.
    @Test func queriesAgeOutAfterASecondAndFreeTheirRoom() {
        var w = QueryWindow(limit: 2, outstandingLimit: 5)
        let a = w.started(now: 1000)
        let b = w.started(now: 1003)
        #expect(!w.hasRoom)                 // two young: the limit
        w.age(now: 1009)
        #expect(w.young == 2)               // a is 9 ticks old: still young
        w.age(now: 1010)
        #expect(w.young == 1)               // a is 10 ticks old: aged out
        #expect(w.outstanding == 2)         // but still with c-ares
        #expect(w.hasRoom)
        let c = w.started(now: 1010)
        #expect(!w.hasRoom)
        w.ended(startedAt: a)               // an old one ends: young unchanged
        #expect(w.young == 2 && w.outstanding == 2)
        w.ended(startedAt: b)               // a young one ends
        #expect(w.young == 1 && w.outstanding == 1)
        w.age(now: 1013)                    // b's tick passes: nothing left to subtract there
        #expect(w.young == 1)
        w.ended(startedAt: c)
        #expect(w.young == 0 && w.outstanding == 0)
    }

    @Test func outstandingLimitBoundsOldQueriesToo() {
        var w = QueryWindow(limit: 1, outstandingLimit: 3)
        var t: UInt64 = 500
        for _ in 0..<3 {
            #expect(w.hasRoom)
            _ = w.started(now: t)
            t += 10                         // each ages out before the next starts
            w.age(now: t)
        }
        #expect(w.young == 0 && w.outstanding == 3)
        #expect(!w.hasRoom)                 // three old ones: the outstanding limit
    }

    @Test func aLongIdleGapAgesEverythingAtOnce() {
        var w = QueryWindow(limit: 10, outstandingLimit: 40)
        for t in UInt64(2000)..<2005 { _ = w.started(now: t) }
        w.age(now: 90_000)                  // far more ticks than the ring holds
        #expect(w.young == 0 && w.outstanding == 5)
        let d = w.started(now: 90_000)
        #expect(w.young == 1)
        w.ended(startedAt: d)
        #expect(w.young == 0 && w.outstanding == 5)
    }

    /// 16 names the resolver never answers fill a window of 16 (one per channel); 16 answered names
    /// asked after them. Counted for their whole 8 s timeout, the dead ones kept the live ones
    /// queued behind them, and the live answers came after the dead ones' timeouts; aged out after
    /// a second, they let the live ones through first. The order is recorded on the loop thread.
    @Test func namesThatNeverAnswerDoNotHoldTheWindow() async throws {
        let resolver = try LoopbackResolver(silent: { $0.hasPrefix("dead") })
        let n = EventLoop.channelCount
        let loop = try EventLoop(config: NetConfig(resolvers: ["127.0.0.1:\(resolver.port)"], timeoutMillis: 8000,
                                                   dnsRetries: 0, userAgent: "mtasts-test", ehloName: "test.invalid",
                                                   dnsInFlight: n))
        defer { loop.shutdown() }
        let order = Recorder()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let left = Recorder()
            let prefixes = ["dead", "live"]
            let deliver: @Sendable (Int, [DNSResult]) -> Void = { tag, results in
                order.add("\(prefixes[tag]):\(results.map { "\($0.outcome)" }.joined(separator: ","))")
                if left.add(prefixes[tag]) == 2 { done.resume() }
            }
            for (tag, prefix) in prefixes.enumerated() {
                loop.submit([QueryBatch((0..<n).map { ("\(prefix)\($0).test", DNSType.txt) }, tag: tag)], deliver: deliver)
            }
        }
        let seen = order.items
        #expect(seen.count == 2)
        #expect(seen.first?.hasPrefix("live:") == true)
        #expect(seen.first == "live:" + Array(repeating: "\(DNSOutcome.nxDomain)", count: n).joined(separator: ","))
        #expect(seen.last == "dead:" + Array(repeating: "\(DNSOutcome.timeout)", count: n).joined(separator: ","))
        #expect(resolver.names(where: { $0.hasPrefix("dead") }) == n)
    }

    /// Dead names beyond the outstanding bound (4 x --dns-in-flight) are not sent until older ones
    /// end: a window of 16 lets 16 more start each second as the others age, up to 64, and then
    /// no more until the first times out (30 s). Checked two ageing rounds after the 64th arrived.
    @Test func deadNamesBeyondTheOutstandingBoundWait() async throws {
        let resolver = try LoopbackResolver(silent: { _ in true })
        let n = EventLoop.channelCount
        let bound = n * EventLoop.outstandingPerWindow
        let loop = try EventLoop(config: NetConfig(resolvers: ["127.0.0.1:\(resolver.port)"], timeoutMillis: 30_000,
                                                   dnsRetries: 0, userAgent: "mtasts-test", ehloName: "test.invalid",
                                                   dnsInFlight: n))
        defer { loop.shutdown() }
        loop.submit([QueryBatch((0..<(2 * bound)).map { ("dead\($0).test", DNSType.txt) })], deliver: { _, _ in })
        var waited = 0
        while resolver.names(where: { _ in true }) < bound, waited < 25_000 {
            try await Task.sleep(nanoseconds: 50_000_000)
            waited += 50
        }
        #expect(resolver.names(where: { _ in true }) == bound)
        try await Task.sleep(nanoseconds: 2_000_000_000)
        #expect(resolver.names(where: { _ in true }) == bound)
    }
}

/// Strings appended from any thread, in order.
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    /// Appends `s`; returns how many items there are now.
    @discardableResult func add(_ s: String) -> Int { lock.withLock { list.append(s); return list.count } }
    var items: [String] { lock.withLock { list } }
}
