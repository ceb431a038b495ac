// The I/O loop's DNS queries carry unpredictable message IDs (RFC 5452 §9.2), and answers are
// still matched to their queries. No real resolver reports the IDs it was sent, so a UDP socket
// (TestSupport's LoopbackResolver) plays the resolver: it records each query's ID and answers
// NXDOMAIN with it.
import Foundation
import MTASTSCore
import Testing
import TestSupport
@testable import MTASTSNet

@Suite struct QueryIDTests {
    /// An I/O loop that asks only the resolver on 127.0.0.1:`port`, one try per query. No TLS
    /// connection is made: the default trust store is loaded and never used.
    static func loop(resolverPort port: UInt16, timeoutMillis: Int) throws -> EventLoop {
        try EventLoop(config: NetConfig(resolvers: ["127.0.0.1:\(port)"], timeoutMillis: timeoutMillis,
                                        dnsRetries: 0, userAgent: "mtasts-test", ehloName: "test.invalid"))
    }

    @Test func queriesCarryDistinctRandomIDsAndAnswersAreMatched() async throws {
        let resolver = try LoopbackResolver()   // NXDOMAIN to everything
        let loop = try Self.loop(resolverPort: resolver.port, timeoutMillis: 3000)
        defer { loop.shutdown() }

        // All go out in one burst: 150 fit the test socket's default receive buffer (~250 small
        // datagrams), so none is dropped before the resolver reads it.
        let count = 150
        let results = await loop.queries((0..<count).map { ("d\($0).test", .txt) })
        // Every answer reached its own query (the resolver answered each with the query's ID).
        #expect(results.count == count)
        #expect(results.allSatisfy { $0.outcome == .nxDomain })

        let ids = resolver.ids
        #expect(ids.count == count)
        // 150 draws from 65536 values: ~0.2 collisions expected, 5 or more is ~1e-6 unlikely.
        // The same ID on every query (what c-ares 1.18's ares_send sends unless told) fails here.
        #expect(Set(ids).count >= count - 5)
        // Not a counter either: consecutive queries do not differ by one.
        let steps = zip(ids, ids.dropFirst()).filter { $1 &- $0 == 1 }.count
        #expect(steps < 5)
    }

    @Test func closedResolverPortFailsAtOnceNotByTimeout() async throws {
        // Queries leave in batches (DatagramBatcher), so the kernel's "port unreachable" comes
        // back on a later read, not on the send: it must still reach c-ares, which ends the
        // queries (recorded as SERVFAIL, see EventLoop.result) instead of waiting them out.
        // A port bound and closed again, with no thread on it (closedLoopbackUDPPort says why;
        // the thread's way failed in CI under load).
        let port = try closedLoopbackUDPPort()
        // The outcome tells the two apart, so no clock is read: a query that waits out its
        // timeout ends as .timeout (ARES_ETIMEOUT), one ended by the refusal as .servFail. (A
        // wall-clock bound here failed in CI: on 2 cores the parallel bench tests held the
        // cooperative threads for 10 s before this task could resume.)
        let loop = try Self.loop(resolverPort: port, timeoutMillis: 20_000)
        defer { loop.shutdown() }
        let results = await loop.queries((0..<20).map { ("d\($0).test", .txt) })
        #expect(results.count == 20)
        #expect(results.allSatisfy { $0.outcome == .servFail })
    }

    /// Queries outstanding at once on one channel never share an ID: c-ares 1.18 gives an answer to
    /// the first query in flight with its ID, so the second could lose its answer. 4096 queries
    /// the resolver never answers, all sent within the timeout: 256 per channel, where random IDs
    /// repeat within a channel about 8 times in the 16 channels (the fix's absence fails this
    /// with odds of ~0.9997).
    @Test func queriesInFlightOnAChannelNeverShareAnID() async throws {
        let resolver = try LoopbackResolver(silent: { _ in true })
        let loop = try EventLoop(config: NetConfig(resolvers: ["127.0.0.1:\(resolver.port)"], timeoutMillis: 30_000,
                                                   dnsRetries: 0, userAgent: "mtasts-test", ehloName: "test.invalid",
                                                   dnsInFlight: 4096))
        defer { loop.shutdown() }
        let count = 4096
        loop.submit([QueryBatch((0..<count).map { ("d\($0).test", DNSType.txt) })], deliver: { _, _ in })
        var waited = 0
        while resolver.ids.count < count, waited < 25_000 {
            try await Task.sleep(nanoseconds: 50_000_000)
            waited += 50
        }
        let byPort = resolver.idsByPort
        #expect(byPort.values.reduce(0) { $0 + $1.count } == count)
        #expect(byPort.count == EventLoop.channelCount)
        for (port, ids) in byPort {
            #expect(Set(ids).count == ids.count, "port \(port): \(ids.count - Set(ids).count) repeated IDs")
        }
    }
}
