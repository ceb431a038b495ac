// A batch holds one name and the kinds asked of it (QueryBatch): the names on the wire must be the
// prefixed names the RFCs define, each asked once, and each answer must reach its own place in
// its own batch, also when most queries wait in the channels' queues. TestSupport's
// LoopbackResolver plays the resolver: it counts the question names it reads and answers each
// with an RCODE chosen by name, so a swapped answer shows as a wrong outcome.
import Foundation
import MTASTSCore
import Testing
import TestSupport
@testable import MTASTSNet

@Suite struct QueryBatchTests {
    /// NOERROR (no records) for `_smtp._tls.` names, SERVFAIL for `_25._tcp.` names, NXDOMAIN for
    /// the rest: the outcome tells which name an answer was for (retries are 0, so no second try
    /// hides it). Not REFUSED: c-ares 1.18 ends that as SERVFAIL too.
    static func rcode(_ name: String) -> UInt8 {
        if name.hasPrefix("_smtp._tls.") { return 0 }
        if name.hasPrefix("_25._tcp.") { return 2 }
        return 3
    }

    static let kinds = [QueryKind(.mtaSTS, .txt), QueryKind(.none, .mx), QueryKind(.smtpTLS, .txt), QueryKind(.smtpTLSA, .tlsa)]
    /// The outcome expected at each place of `kinds`, by `rcode`.
    static let outcomes: [DNSOutcome] = [.nxDomain, .nxDomain, .noError, .servFail]

    static func loop(_ resolver: LoopbackResolver, dnsInFlight: Int) throws -> EventLoop {
        try EventLoop(config: NetConfig(resolvers: ["127.0.0.1:\(resolver.port)"], timeoutMillis: 20_000, dnsRetries: 0,
                                        userAgent: "mtasts-test", ehloName: "test.invalid", dnsInFlight: dnsInFlight))
    }

    @Test func aBatchAsksEachPrefixedNameOnce() async throws {
        let resolver = try LoopbackResolver(rcode: Self.rcode)
        let loop = try Self.loop(resolver, dnsInFlight: 512)
        defer { loop.shutdown() }
        // Over 15 bytes: a heap-allocated String, the case the prefixes are built for.
        let name = "a-name-longer-than-fifteen-bytes.test"
        let results = await loop.queries(name, Self.kinds)
        #expect(results.map(\.outcome) == Self.outcomes)
        // RFC 8461 §3.1 (_mta-sts), RFC 5321 §5.1 (the domain's MX), RFC 8460 §3 (_smtp._tls),
        // RFC 7672 §2.2.1 / RFC 6698 §3 (_25._tcp), each asked once, and nothing else.
        for full in ["_mta-sts." + name, name, "_smtp._tls." + name, "_25._tcp." + name] {
            #expect(resolver.count(full) == 1, "\(full)")
        }
        #expect(resolver.ids.count == 4)
    }

    @Test func manyBatchesWaitingInTheQueuesEachGetTheirOwnAnswersByTag() async throws {
        let resolver = try LoopbackResolver(rcode: Self.rcode)
        // A window of 8 queries (2 per channel) for 1200: nearly all wait in the channels' queues,
        // started as answers come back, as at --concurrency 50000.
        let loop = try Self.loop(resolver, dnsInFlight: 8)
        defer { loop.shutdown() }
        let n = 300
        let got = Collected()
        // Tags out of order, so a delivery by position in the submit would not pass.
        let tags = (0..<n).map { ($0 * 7919) % n }
        loop.submit(tags.map { QueryBatch("t\($0).test", Self.kinds, tag: $0) }) { tag, results in got.add(tag, results) }
        // Generous: 1200 loopback queries take well under a second; minutes only on a stalled machine.
        let all = await got.waitFor(n, seconds: 300)
        #expect(all.count == n)
        #expect(Set(all.map(\.0)) == Set(0..<n))   // every tag once
        for (_, results) in all { #expect(results.map(\.outcome) == Self.outcomes) }
        for i in 0..<n {
            for full in ["_mta-sts.t\(i).test", "t\(i).test", "_smtp._tls.t\(i).test", "_25._tcp.t\(i).test"] {
                #expect(resolver.count(full) == 1, "\(full)")
            }
        }
    }

    /// A query of a domain under way (a policy host's or MX host's addresses) starts before the
    /// first lookups of new domains already waiting: FIFO, it waited behind all of them, and at
    /// --concurrency 10000 a domain with a record took ten times as long (WaitingQueries).
    /// The resolver answers nothing until both submits are in, so the order cannot depend on how
    /// fast this test's thread runs (in CI's parallel run it was preempted long enough for the
    /// loop to answer all 2000 first).
    @Test func aDomainUnderWayIsAskedBeforeNewDomainsWaitingInTheQueues() async throws {
        let gate = Gate()
        let resolver = try LoopbackResolver(rcode: { name in gate.waitOpen(); return Self.rcode(name) })
        // One query per channel at a time, 3 x 2000 new-domain queries: nearly all wait.
        let loop = try Self.loop(resolver, dnsInFlight: EventLoop.channelCount)
        defer { loop.shutdown() }
        let n = 2000
        let got = Collected()
        loop.submit((0..<n).map { QueryBatch("n\($0).test", Self.kinds, tag: $0, startsDomain: true) }) { got.add($0, $1) }
        // Submitted after them (the loop takes requests in order), so FIFO it would come last.
        let followUp = Collected()
        let newDomainsDone = Counter()
        loop.submit([QueryBatch("follow-up.test", [QueryKind(.none, .a), QueryKind(.none, .aaaa)], tag: -1)]) { tag, results in
            newDomainsDone.set(got.count)   // on the loop thread, where every delivery runs
            followUp.add(tag, results)
        }
        gate.open()
        let answer = await followUp.waitFor(1, seconds: 300)
        #expect(answer.first?.1.map(\.outcome) == [.nxDomain, .nxDomain])
        // ~6,000 queries were queued before it (WaitingQueries); it waited for one or two answers.
        #expect(newDomainsDone.value < n / 10, "\(newDomainsDone.value) of \(n) new domains were answered before the follow-up")
        #expect(await got.waitFor(n, seconds: 300).count == n)   // and the new domains are not starved
    }

    /// Queries waiting for room go to whichever channel has it (WaitingQueries). The resolver
    /// never answers half of the sockets, as a resolver thread that is stuck; with a queue per
    /// channel, filled round-robin, half the queries waited behind its silent sockets until their
    /// timeout (20 s here). Shared, the silent sockets keep only what they started (4 each, and
    /// at most 4 x that as their queries age out of the window), and the other channels answer
    /// the rest. Waited for 15 s, under that timeout.
    @Test func queriesWaitingForRoomGoToTheChannelsThatAnswer() async throws {
        let stuck = EventLoop.channelCount / 2
        let resolver = try LoopbackResolver(silentPorts: stuck)
        // 4 young queries per channel (and 16 in all): the round-robin's first pass starts 4 on
        // each channel, the rest wait.
        let perChannel = 4
        let loop = try Self.loop(resolver, dnsInFlight: perChannel * EventLoop.channelCount)
        defer { loop.shutdown() }
        let n = 400
        let got = Collected()
        loop.submit((0..<n).map { QueryBatch("q\($0).test", [QueryKind(.none, .a)], tag: $0, startsDomain: true) }) { got.add($0, $1) }
        let lostAtMost = stuck * perChannel * EventLoop.outstandingPerWindow   // 128 < n / 2
        let answered = await got.waitFor(n - lostAtMost, seconds: 15)
        #expect(answered.count >= n - lostAtMost, "\(answered.count) of \(n) answered within 15 s; a queue per channel leaves \(n / 2)")
        for (_, results) in answered { #expect(results.map(\.outcome) == [.nxDomain]) }
    }

    @Test func aBatchOfUnrelatedNamesKeepsEachName() async throws {
        let resolver = try LoopbackResolver(rcode: Self.rcode)
        let loop = try Self.loop(resolver, dnsInFlight: 512)
        defer { loop.shutdown() }
        let results = await loop.queries([("x.test", .a), ("_smtp._tls.y.test", .txt), ("_25._tcp.z.test", .tlsa)])
        #expect(results.map(\.outcome) == [.nxDomain, .noError, .servFail])
        for full in ["x.test", "_smtp._tls.y.test", "_25._tcp.z.test"] { #expect(resolver.count(full) == 1, "\(full)") }
    }
}

/// Holds the resolver's answers back until the test opens it.
final class Gate: @unchecked Sendable {
    private let condition = NSCondition()
    private var isOpen = false

    func open() { condition.withLock { isOpen = true; condition.broadcast() } }
    func waitOpen() { condition.withLock { while !isOpen { condition.wait() } } }
}

/// A number set on one thread and read on another.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = Int.max
    func set(_ v: Int) { lock.withLock { n = v } }
    var value: Int { lock.withLock { n } }
}

/// Deliveries from the loop thread, for a test to wait on.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(Int, [DNSResult])] = []

    func add(_ tag: Int, _ r: [DNSResult]) { lock.withLock { items.append((tag, r)) } }
    var count: Int { lock.withLock { items.count } }

    /// What arrived once `n` have, or at the end of `seconds`.
    func waitFor(_ n: Int, seconds: Double) async -> [(Int, [DNSResult])] {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            let now = lock.withLock { items }
            if now.count >= n { return now }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return lock.withLock { items }
    }
}
