// An MX host's A, AAAA and TLSA lookups are asked once per scan and shared by every domain that
// names the host (ProbeCache.lookups), but a failed lookup is asked again. What counts is what
// reaches the resolver, so TestSupport's LoopbackResolver plays it: it counts the questions it gets
// and answers NXDOMAIN (a definite answer, kept) or, for names under fail.test, SERVFAIL (a
// failure, not kept).
import Foundation
import MTASTSCore
import MTASTSNet
import Testing
import TestSupport
@testable import MTASTSScan

@Suite struct HostLookupCacheTests {
    @Test func aHostIsLookedUpOncePerScanUnlessItsLookupFailed() async throws {
        let resolver = try LoopbackResolver { $0.hasSuffix("fail.test") ? 2 : 3 }   // SERVFAIL or NXDOMAIN
        let loop = try EventLoop(config: NetConfig(resolvers: ["127.0.0.1:\(resolver.port)"], timeoutMillis: 5000,
                                                   dnsRetries: 0, userAgent: "mtasts-test", ehloName: "test.invalid"))
        defer { loop.shutdown() }
        let cache = ProbeCache(loop: loop, port: 25, perAddressConcurrency: 1)

        // Three domains on one provider host: one A, one AAAA and one TLSA query in all.
        for _ in 0..<3 {
            let answers = await cache.lookups(host: "mx1.provider.test")
            #expect(answers.map(\.outcome) == [.nxDomain, .nxDomain, .nxDomain])
        }
        #expect(resolver.count("mx1.provider.test") == 2)   // A and AAAA
        #expect(resolver.count("_25._tcp.mx1.provider.test") == 1)

        // A host whose lookups fail is asked again by the next domain.
        for _ in 0..<3 {
            let answers = await cache.lookups(host: "mx.fail.test")
            #expect(answers.map(\.outcome) == [.servFail, .servFail, .servFail])
        }
        #expect(resolver.count("mx.fail.test") == 6)
        #expect(resolver.count("_25._tcp.mx.fail.test") == 3)
    }
}
