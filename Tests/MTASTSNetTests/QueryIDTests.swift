// The I/O loop's DNS queries carry unpredictable message IDs (RFC 5452 §9.2), and answers are
// still matched to their queries. No real resolver reports the IDs it was sent, so a UDP socket
// in this test plays the resolver: it records each query's ID and answers NXDOMAIN with it.
import Foundation
import MTASTSCore
import Testing
@testable import MTASTSNet

/// A UDP socket bound to 127.0.0.1 on a port the kernel picks, and that port.
func bindLoopbackUDP() throws -> (Int32, UInt16) {
    let s = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) == 0 && getsockname(s, $0, &len) == 0 }
    }
    guard s >= 0, bound else {
        if s >= 0 { close(s) }
        throw NetError("test: cannot bind a UDP socket to 127.0.0.1")
    }
    return (s, UInt16(bigEndian: addr.sin_port))
}

/// A resolver on 127.0.0.1 that answers every query NXDOMAIN and remembers the IDs it saw.
final class RecordingResolver: @unchecked Sendable {
    let fd: Int32
    let port: UInt16
    private let lock = NSLock()
    private var seen: [UInt16] = []

    init() throws {
        (fd, port) = try bindLoopbackUDP()
        var rcvbuf: Int32 = 1 << 20   // more room for the burst, where the kernel allows it
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, socklen_t(MemoryLayout<Int32>.size))
        Thread { [self] in serve() }.start()
    }

    var ids: [UInt16] { lock.withLock { seen } }

    private func serve() {
        var buf = [UInt8](repeating: 0, count: 4096)
        var from = sockaddr_storage()
        while true {
            var fromLen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = withUnsafeMutablePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buf, buf.count, 0, $0, &fromLen) }
            }
            guard n >= 12 else { return }   // closed
            lock.withLock { seen.append(UInt16(buf[0]) << 8 | UInt16(buf[1])) }
            // The query itself, turned into an answer: QR, RD, RA, RCODE 3; same ID and question.
            buf[2] = 0x81
            buf[3] = 0x83
            _ = withUnsafePointer(to: &from) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, buf, n, 0, $0, fromLen) }
            }
        }
    }
}

@Suite struct QueryIDTests {
    /// A throwaway self-signed root: the loop loads a trust store at start-up, and this test
    /// makes no TLS connection.
    static let rootPEM = """
        -----BEGIN CERTIFICATE-----
        MIIBujCCAV+gAwIBAgIUfl7FUzgaWfHJzHem3JZEY4MeuuQwCgYIKoZIzj0EAwIw
        MTEvMC0GA1UEAwwmbXRhc3RzIHRlc3Qgcm9vdCwgbm90IHRydXN0ZWQgYW55d2hl
        cmUwIBcNMjYxMTI5MDYzNTM0WhgPMjEyNjExMDUwNjM1MzRaMDExLzAtBgNVBAMM
        Jm10YXN0cyB0ZXN0IHJvb3QsIG5vdCB0cnVzdGVkIGFueXdoZXJlMFkwEwYHKoZI
        zj0CAQYIKoZIzj0DAQcDQgAEI2NlwweQIM476FbJj473WZ8QKFuk0TFsgWqod+Q/
        3pjSNQBIei7daFKDQf5F9jp1K4vtMuc/rQDeY9be38uzBaNTMFEwHQYDVR0OBBYE
        FCE5Ggq4+9rDKAcNgtaYv03Os835MB8GA1UdIwQYMBaAFCE5Ggq4+9rDKAcNgtaY
        v03Os835MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhALPzDyVW
        yS2oUrt4vwLCrQ1xacEYhXiFoXNOT6+SeUhNAiEA1kqgnmKXckqHWcbn8gliFEvo
        tHddXsZw7ZxGAiBRXds=
        -----END CERTIFICATE-----

        """

    /// An I/O loop that asks only the resolver on 127.0.0.1:`port`, one try per query. The loop
    /// reads its trust store once, at start-up, so the root's file is removed when this returns.
    static func loop(resolverPort port: UInt16, timeoutMillis: Int) throws -> EventLoop {
        let ca = FileManager.default.temporaryDirectory.appendingPathComponent("mtasts-queryid-\(getpid())-\(port).pem")
        try rootPEM.write(to: ca, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: ca) }
        return try EventLoop(config: NetConfig(resolvers: ["127.0.0.1:\(port)"], timeoutMillis: timeoutMillis,
                                               dnsRetries: 0, caFile: ca.path, userAgent: "mtasts-test",
                                               ehloName: "test.invalid"))
    }

    /// A loopback UDP port that nothing listens on: bound to learn a free one, then closed.
    static func closedUDPPort() throws -> UInt16 {
        let (s, port) = try bindLoopbackUDP()
        close(s)
        return port
    }

    @Test func queriesCarryDistinctRandomIDsAndAnswersAreMatched() async throws {
        let resolver = try RecordingResolver()
        defer { close(resolver.fd) }
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
        // A port bound and closed again, with no thread on it: closing a RecordingResolver's
        // socket left its thread blocked in recvfrom, which kept the socket open until a first
        // query arrived (that one then timed out; this failed in CI under load).
        let port = try Self.closedUDPPort()
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
}
