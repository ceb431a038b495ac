// A host name from a DNS answer must never make libcurl contact an address or port the scanner
// did not resolve and check (issue 14). `u@127.0.0.1` is a legal MX target on the wire; put into
// `smtp://u@127.0.0.1:PORT/...` it made curl connect to 127.0.0.1 as user "u", ignoring the
// address the scanner had pinned. A listener on 127.0.0.1 counts what reaches it.
import CCurl
import Foundation
import MTASTSCore
import Testing
import TestSupport
@testable import MTASTSNet

@Suite struct ConnectionGuardTests {
    static func loop() throws -> EventLoop {
        // No DNS is asked here; the resolver is a closed port so nothing leaves by accident.
        let port = try closedLoopbackUDPPort()
        return try EventLoop(config: NetConfig(resolvers: ["127.0.0.1:\(port)"], timeoutMillis: 3000, dnsRetries: 0,
                                               userAgent: "mtasts-test", ehloName: "test.invalid"))
    }

    @Test func hostileHostNamesReachNothing() async throws {
        let listener = try ConnectionCounter()   // 127.0.0.1:port: where a hostile URL would lead
        defer { listener.stop() }
        let loop = try Self.loop()
        defer { loop.shutdown() }
        // Pinned to 127.0.0.9, where nothing listens: only a guard failure reaches 127.0.0.1.
        for host in ["u@127.0.0.1", "127.0.0.1", "127.0.0.1/x", "127.0.0.1:\(listener.port)", "a b", ""] {
            let smtp = await loop.probeSTARTTLS(host: host, address: "127.0.0.9", port: Int(listener.port))
            #expect(smtp.outcome == .connectFailed, "\(host): \(smtp)")
            #expect(smtp.detail?.contains("not a host name") == true, "\(host): \(smtp.detail ?? "")")
            let https = await loop.fetchPolicy(host: host, addresses: ["127.0.0.9"], port: Int(listener.port))
            #expect(https.outcome == .connectFailed, "\(host): \(https)")
        }
        // An address that is not an IP literal is refused the same way.
        let named = await loop.fetchPolicy(host: "mta-sts.example.test", addresses: ["localhost"], port: Int(listener.port))
        #expect(named.outcome == .connectFailed)
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(listener.count == 0)

        // The listener does count: a valid name pinned to 127.0.0.1 reaches it.
        _ = await loop.probeSTARTTLS(host: "mx.example.test", address: "127.0.0.1", port: Int(listener.port))
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(listener.count == 1)
    }

    @Test func pinnedPeersPermitOnlyTheirAddressesAndPort() throws {
        let peers = try #require(PinnedPeers(addresses: ["127.0.0.9", "::1"], port: 2525))
        func v4(_ a: String, _ port: UInt16) -> Bool {
            var ca = curl_sockaddr()
            ca.family = AF_INET
            ca.addrlen = UInt32(MemoryLayout<sockaddr_in>.size)
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            sin.sin_addr.s_addr = inet_addr(a)
            withUnsafeMutableBytes(of: &ca.addr) { dst in withUnsafeBytes(of: sin) { dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[..<16])) } }
            return withUnsafePointer(to: &ca) { peers.permits($0) }
        }
        #expect(v4("127.0.0.9", 2525))
        #expect(!v4("127.0.0.9", 25))
        #expect(!v4("127.0.0.1", 2525))
        #expect(PinnedPeers(addresses: ["localhost"], port: 25) == nil)
        #expect(PinnedPeers(addresses: ["127.0.0.1"], port: 0) == nil)
        #expect(PinnedPeers(addresses: [], port: 25) == nil)
    }
}
