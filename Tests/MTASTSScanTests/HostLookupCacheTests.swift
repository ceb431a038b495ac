// An MX host's A, AAAA and TLSA lookups are asked once per scan and shared by every domain that
// names the host (ProbeCache.lookups), but a failed lookup is asked again. What counts is what
// reaches the resolver, so a UDP socket on 127.0.0.1 plays it: it counts the questions it gets
// and answers NXDOMAIN (a definite answer, kept) or, for names under fail.test, SERVFAIL (a
// failure, not kept).
import Foundation
import MTASTSCore
import MTASTSNet
import Testing
@testable import MTASTSScan

/// Answers every query at once; counts the queries per question name.
final class CountingResolver: @unchecked Sendable {
    let fd: Int32
    let port: UInt16
    private let lock = NSLock()
    private var asked: [String: Int] = [:]

    init() throws {
        let s = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) == 0 && getsockname(s, $0, &len) == 0 }
        }
        guard s >= 0, bound else { throw NetError("test resolver: cannot bind 127.0.0.1") }
        fd = s
        port = UInt16(bigEndian: addr.sin_port)
        Thread { [self] in serve() }.start()
    }

    func count(_ name: String) -> Int { lock.withLock { asked[name, default: 0] } }

    private func serve() {
        var buf = [UInt8](repeating: 0, count: 4096)
        var from = sockaddr_storage()
        while true {
            var fromLen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buf, buf.count, 0, $0, &fromLen) }
            }
            guard n >= 12 else { return }
            // The question's name, label by label (our queries are never compressed).
            var labels: [String] = []
            var i = 12
            while i < n, buf[i] != 0, i + 1 + Int(buf[i]) <= n {
                labels.append(String(decoding: buf[(i + 1)..<(i + 1 + Int(buf[i]))], as: UTF8.self))
                i += 1 + Int(buf[i])
            }
            let name = labels.joined(separator: ".")
            lock.withLock { asked[name, default: 0] += 1 }
            buf[2] = 0x81                                        // QR, RD
            buf[3] = name.hasSuffix("fail.test") ? 0x82 : 0x83   // RA; SERVFAIL or NXDOMAIN
            _ = withUnsafePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, buf, n, 0, $0, fromLen) }
            }
        }
    }
}

@Suite struct HostLookupCacheTests {
    @Test func aHostIsLookedUpOncePerScanUnlessItsLookupFailed() async throws {
        let resolver = try CountingResolver()
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
